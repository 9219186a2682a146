"""The behaviour every graph store adapter owes the tutor, written once.

A subclass of :class:`GraphStoreContract` provides two fixtures: ``store`` (a set-up
:class:`GraphStore`) and ``new_owner`` (an async factory of owners the store may write
for, each a fresh uuid, so that tests sharing one server never see each other).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import pytest

from tutor.graph.model import ConceptDraft, ConceptRole, EdgeDraft, EdgeKind, EdgeOrigin
from tutor.graph.port import GraphStore

NewOwner = Callable[[], Awaitable[UUID]]


def concept(
    key: str,
    position: int = 0,
    *,
    title: str | None = None,
    summary: str = "",
    level: int = 2,
    key_points: tuple[str, ...] = (),
    role: ConceptRole = "teachable",
    terms: tuple[str, ...] = (),
) -> ConceptDraft:
    return ConceptDraft(
        key=key,
        title=title if title is not None else key.title(),
        summary=summary,
        level=level,
        key_points=key_points,
        position=position,
        role=role,
        terms=terms,
    )


def edge(
    source: str,
    target: str,
    kind: EdgeKind = "part_of",
    weight: float = 1.0,
    origin: EdgeOrigin = "heading",
) -> EdgeDraft:
    return EdgeDraft(source, target, kind, weight, origin)


async def keyed_edges(store: GraphStore, owner: UUID) -> set[tuple[str, str, str]]:
    """The owner's edges as (source key, target key, kind)."""
    keys = {c.id: c.key for c in await store.concepts(owner)}
    return {(keys[e.source], keys[e.target], e.kind) for e in await store.edges(owner)}


async def snapshot(store: GraphStore, owner: UUID) -> tuple[object, object]:
    return await store.concepts(owner), await store.edges(owner)


class GraphStoreContract:
    @pytest.fixture
    async def owner(self, new_owner: NewOwner) -> UUID:
        return await new_owner()

    # -- writing one document ------------------------------------------------------

    async def test_a_document_graph_is_stored_and_read_back(
        self, store: GraphStore, owner: UUID
    ) -> None:
        document = uuid4()
        drafts = [
            concept(
                "calculus",
                0,
                title="Calculus",
                summary="The study of change.",
                level=1,
                key_points=("limits come first", "derivatives measure change"),
            ),
            concept("limits", 1, title="Limits", summary="Approaching a value.", level=2),
            concept("derivatives", 2, title="Derivatives", level=2),
        ]
        edges = [
            edge("limits", "calculus", "part_of"),
            edge("derivatives", "calculus", "part_of"),
            edge("limits", "derivatives", "prerequisite", 0.75, "order"),
        ]
        ids = await store.put_document_graph(owner, document, drafts, edges)

        assert set(ids) == {"calculus", "limits", "derivatives"}
        assert all(isinstance(i, UUID) for i in ids.values())
        assert len(set(ids.values())) == 3
        stored = await store.concepts(owner)
        assert [c.key for c in stored] == ["calculus", "limits", "derivatives"]
        calculus = stored[0]
        assert calculus.id == ids["calculus"]
        assert calculus.owner == owner
        assert calculus.title == "Calculus"
        assert calculus.summary == "The study of change."
        assert calculus.level == 1
        assert calculus.key_points == ("limits come first", "derivatives measure change")
        assert calculus.position == 0
        assert calculus.documents == frozenset({document})
        assert stored[2].key_points == ()

        stored_edges = await store.edges(owner)
        assert {(e.source, e.target, e.kind) for e in stored_edges} == {
            (ids["limits"], ids["calculus"], "part_of"),
            (ids["derivatives"], ids["calculus"], "part_of"),
            (ids["limits"], ids["derivatives"], "prerequisite"),
        }
        prerequisite = next(e for e in stored_edges if e.kind == "prerequisite")
        assert prerequisite.weight == pytest.approx(0.75)
        assert prerequisite.origin == "order"
        assert await store.concept_ids(owner, ["limits", "nowhere"]) == {"limits": ids["limits"]}

    async def test_concepts_come_in_position_order(self, store: GraphStore, owner: UUID) -> None:
        drafts = [concept("c", 3), concept("a", 7), concept("b", 1), concept("d", 3)]
        await store.put_document_graph(owner, uuid4(), drafts, [])
        assert [c.key for c in await store.concepts(owner)] == ["b", "c", "d", "a"]

    async def test_edges_can_be_read_by_kind(self, store: GraphStore, owner: UUID) -> None:
        ids = await store.put_document_graph(
            owner,
            uuid4(),
            [concept("a", 0), concept("b", 1), concept("c", 2)],
            [
                edge("b", "a", "part_of"),
                edge("a", "b", "prerequisite"),
                edge("b", "c", "prerequisite"),
            ],
        )
        part_of = await store.edges(owner, "part_of")
        prerequisites = await store.edges(owner, "prerequisite")
        assert [(e.source, e.target) for e in part_of] == [(ids["b"], ids["a"])]
        assert {(e.source, e.target) for e in prerequisites} == {
            (ids["a"], ids["b"]),
            (ids["b"], ids["c"]),
        }
        assert len(await store.edges(owner)) == 3

    async def test_two_kinds_of_edge_may_join_the_same_concepts(
        self, store: GraphStore, owner: UUID
    ) -> None:
        await store.put_document_graph(
            owner,
            uuid4(),
            [concept("a", 0), concept("b", 1)],
            [edge("b", "a", "part_of"), edge("b", "a", "prerequisite", 0.5)],
        )
        assert await keyed_edges(store, owner) == {
            ("b", "a", "part_of"),
            ("b", "a", "prerequisite"),
        }

    async def test_duplicate_edge_drafts_keep_the_highest_weight(
        self, store: GraphStore, owner: UUID
    ) -> None:
        await store.put_document_graph(
            owner,
            uuid4(),
            [concept("a", 0), concept("b", 1)],
            [
                edge("a", "b", "prerequisite", 0.4, "order"),
                edge("a", "b", "prerequisite", 0.9, "link"),
                edge("a", "b", "prerequisite", 0.6, "model"),
            ],
        )
        [stored] = await store.edges(owner)
        assert stored.weight == pytest.approx(0.9)
        assert stored.origin == "link"

    async def test_malformed_drafts_are_refused(self, store: GraphStore, owner: UUID) -> None:
        document = uuid4()
        cases: list[tuple[list[ConceptDraft], list[EdgeDraft], str]] = [
            ([concept("a"), concept("a")], [], "share the key"),
            ([concept("a")], [edge("a", "a")], "to itself"),
            ([concept("a"), concept("b")], [edge("a", "b", weight=1.5)], "outside 0..1"),
            ([concept("")], [], "must not be empty"),
            ([concept("a", role="appendix")], [], "unknown concept role"),  # type: ignore[arg-type]
        ]
        for drafts, edges, message in cases:
            with pytest.raises(ValueError, match=message):
                await store.put_document_graph(owner, document, drafts, edges)
        assert await store.concepts(owner) == []

    async def test_text_round_trips_exactly(self, store: GraphStore, owner: UUID) -> None:
        awkward = "it's \"quoted\", back\\slash \\' end\\ \n\ttabbed; ünïcødé ✓ 日本 $param {x: 1}"
        long_summary = ("A paragraph that goes on and on, it's long. " * 250).strip()
        wide = "ü✓日本語 " * 1200  # three bytes a character, mostly
        filler = "ab\\c " * 60
        long_points = tuple(f"point {i}: {filler}'{i}'" for i in range(12))
        drafts = [
            concept("awkward", 0, title=awkward, summary=awkward, key_points=(awkward, "")),
            concept("long", 1, title="Long " * 400, summary=long_summary, key_points=long_points),
            concept("it's a \\key", 2, title="k"),
            concept("wide", 3, title=wide[:500], summary=wide, key_points=(wide, wide[:7])),
        ]
        ids = await store.put_document_graph(
            owner, uuid4(), drafts, [edge("awkward", "it's a \\key", origin="link")]
        )
        stored = {c.key: c for c in await store.concepts(owner)}
        for draft in drafts:
            got = stored[draft.key]
            assert got.title == draft.title
            assert got.summary == draft.summary
            assert got.key_points == draft.key_points
        assert await store.concept_ids(owner, ["it's a \\key"]) == {
            "it's a \\key": ids["it's a \\key"]
        }
        assert await keyed_edges(store, owner) == {("awkward", "it's a \\key", "part_of")}

    async def test_role_and_terms_round_trip(self, store: GraphStore, owner: UUID) -> None:
        many_terms = tuple(f"term {i} 'quoted' \"x\" \\ ü" for i in range(300))
        drafts = [
            concept("title page", 0, role="front_matter"),
            concept("ownership", 1, terms=("ownership", "move", "drop")),
            concept("understanding ownership", 2, role="chapter"),
            concept("contents", 3, role="navigation"),
            concept("index", 4, role="back_matter"),
            concept("plain", 5),
            concept("glossary", 6, summary="x " * 3000, terms=many_terms),
        ]
        await store.put_document_graph(owner, uuid4(), drafts, [])
        stored = {c.key: c for c in await store.concepts(owner)}
        for draft in drafts:
            assert (stored[draft.key].role, stored[draft.key].terms) == (draft.role, draft.terms)
        assert stored["plain"].role == "teachable" and stored["plain"].terms == ()

    async def test_a_rewrite_changes_role_and_terms(self, store: GraphStore, owner: UUID) -> None:
        document = uuid4()
        await store.put_document_graph(owner, document, [concept("a", terms=("x", "y"))], [])
        await store.put_document_graph(owner, document, [concept("a", role="back_matter")], [])
        (stored,) = await store.concepts(owner)
        assert (stored.role, stored.terms) == ("back_matter", ())

    # -- several documents ---------------------------------------------------------

    async def test_concepts_merge_by_key_across_documents(
        self, store: GraphStore, owner: UUID
    ) -> None:
        first, second = uuid4(), uuid4()
        ids1 = await store.put_document_graph(
            owner, first, [concept("a", 0), concept("shared", 5, title="Shared v1")], []
        )
        ids2 = await store.put_document_graph(
            owner,
            second,
            [
                concept("shared", 2, title="Shared v2", summary="newer", key_points=("k",)),
                concept("b", 3),
            ],
            [],
        )
        assert ids1["shared"] == ids2["shared"]
        stored = {c.key: c for c in await store.concepts(owner)}
        assert set(stored) == {"a", "shared", "b"}
        shared = stored["shared"]
        assert shared.documents == frozenset({first, second})
        assert (shared.title, shared.summary, shared.key_points) == ("Shared v2", "newer", ("k",))
        assert shared.position == 2

    async def test_the_lowest_position_of_the_supporting_documents_wins(
        self, store: GraphStore, owner: UUID
    ) -> None:
        first, second = uuid4(), uuid4()

        async def position() -> int:
            [shared] = [c for c in await store.concepts(owner) if c.key == "shared"]
            return shared.position

        await store.put_document_graph(owner, first, [concept("shared", 5)], [])
        await store.put_document_graph(owner, second, [concept("shared", 2)], [])
        assert await position() == 2
        await store.put_document_graph(owner, first, [concept("shared", 1)], [])
        assert await position() == 1
        await store.put_document_graph(owner, first, [concept("shared", 9)], [])
        assert await position() == 2
        await store.put_document_graph(owner, second, [concept("other", 0)], [])
        assert await position() == 9

    async def test_a_new_put_replaces_what_the_document_supported(
        self, store: GraphStore, owner: UUID
    ) -> None:
        document = uuid4()
        before = await store.put_document_graph(
            owner,
            document,
            [concept("a", 0), concept("b", 1), concept("c", 2)],
            [edge("b", "a"), edge("c", "a"), edge("b", "c", "prerequisite", 0.5)],
        )
        after = await store.put_document_graph(
            owner,
            document,
            [concept("a", 0, title="A, renamed", level=1), concept("b", 4), concept("d", 5)],
            [edge("b", "a", weight=0.25, origin="model"), edge("d", "b", "prerequisite")],
        )
        assert after["a"] == before["a"]
        assert after["b"] == before["b"]
        stored = {c.key: c for c in await store.concepts(owner)}
        assert set(stored) == {"a", "b", "d"}
        assert (stored["a"].title, stored["a"].level) == ("A, renamed", 1)
        assert stored["b"].position == 4
        assert await keyed_edges(store, owner) == {
            ("b", "a", "part_of"),
            ("d", "b", "prerequisite"),
        }
        [b_a] = await store.edges(owner, "part_of")
        assert b_a.weight == pytest.approx(0.25)
        assert b_a.origin == "model"

    async def test_withdrawing_support_deletes_only_what_no_document_supports(
        self, store: GraphStore, owner: UUID
    ) -> None:
        first, second = uuid4(), uuid4()
        await store.put_document_graph(
            owner,
            first,
            [concept("s", 0), concept("t", 1), concept("only1", 2)],
            [
                edge("s", "t", "prerequisite"),  # both documents
                edge("t", "s", "part_of"),  # only the first, between shared concepts
                edge("only1", "s", "part_of"),  # only the first, to its own concept
            ],
        )
        await store.put_document_graph(
            owner,
            second,
            [concept("s", 0), concept("t", 1), concept("only2", 3)],
            [edge("s", "t", "prerequisite"), edge("only2", "t", "part_of")],
        )
        await store.put_document_graph(owner, first, [concept("s", 0), concept("t", 1)], [])
        stored = {c.key: c for c in await store.concepts(owner)}
        assert set(stored) == {"s", "t", "only2"}
        assert stored["s"].documents == frozenset({first, second})
        assert await keyed_edges(store, owner) == {
            ("s", "t", "prerequisite"),
            ("only2", "t", "part_of"),
        }

        await store.put_document_graph(
            owner, second, [concept("s", 0), concept("t", 1), concept("only2", 3)], []
        )
        assert await keyed_edges(store, owner) == set()
        assert {c.key for c in await store.concepts(owner)} == {"s", "t", "only2"}

    async def test_remove_document(self, store: GraphStore, owner: UUID) -> None:
        first, second = uuid4(), uuid4()
        await store.put_document_graph(
            owner,
            first,
            [concept("a", 0), concept("shared", 1), concept("b", 2)],
            [edge("a", "shared"), edge("b", "shared"), edge("a", "b", "prerequisite")],
        )
        await store.put_document_graph(
            owner, second, [concept("shared", 1), concept("c", 3)], [edge("c", "shared")]
        )
        await store.remove_document(owner, first)
        stored = await store.concepts(owner)
        assert [c.key for c in stored] == ["shared", "c"]
        assert stored[0].documents == frozenset({second})
        assert await keyed_edges(store, owner) == {("c", "shared", "part_of")}

        await store.remove_document(owner, uuid4())  # a document never stored: nothing to do
        await store.remove_document(owner, second)
        assert await store.concepts(owner) == []
        assert await store.edges(owner) == []

    # -- refusals ------------------------------------------------------------------

    async def test_an_edge_may_name_a_concept_another_document_supports(
        self, store: GraphStore, owner: UUID
    ) -> None:
        first, second = uuid4(), uuid4()
        ids1 = await store.put_document_graph(owner, first, [concept("basics", 0)], [])
        ids2 = await store.put_document_graph(
            owner, second, [concept("advanced", 1)], [edge("basics", "advanced", "prerequisite")]
        )
        assert set(ids2) == {"advanced"}
        [stored] = await store.edges(owner)
        assert (stored.source, stored.target) == (ids1["basics"], ids2["advanced"])
        await store.remove_document(owner, first)
        assert await store.edges(owner) == []
        assert [c.key for c in await store.concepts(owner)] == ["advanced"]

    async def test_edges_to_unknown_keys_are_refused_with_nothing_written(
        self, store: GraphStore, owner: UUID
    ) -> None:
        document = uuid4()
        await store.put_document_graph(
            owner, document, [concept("a", 0), concept("b", 1)], [edge("b", "a")]
        )
        before = await snapshot(store, owner)
        with pytest.raises(ValueError, match="'ghost'") as refused:
            await store.put_document_graph(
                owner,
                document,
                [concept("a", 0, title="changed"), concept("c", 2)],
                [edge("c", "a"), edge("ghost", "a"), edge("c", "phantom", "prerequisite")],
            )
        assert "'phantom'" in str(refused.value)
        assert await snapshot(store, owner) == before
        with pytest.raises(ValueError, match="'ghost'"):
            await store.put_document_graph(owner, uuid4(), [concept("z", 9)], [edge("ghost", "z")])
        assert await snapshot(store, owner) == before

    async def test_an_edge_to_a_concept_only_this_document_supported_is_refused(
        self, store: GraphStore, owner: UUID
    ) -> None:
        document = uuid4()
        await store.put_document_graph(owner, document, [concept("a", 0), concept("b", 1)], [])
        before = await snapshot(store, owner)
        with pytest.raises(ValueError, match="'b'"):
            await store.put_document_graph(owner, document, [concept("a", 0)], [edge("a", "b")])
        assert await snapshot(store, owner) == before

    # -- deleting edges ------------------------------------------------------------

    async def test_delete_edges(self, store: GraphStore, owner: UUID) -> None:
        ids = await store.put_document_graph(
            owner,
            uuid4(),
            [concept("a", 0), concept("b", 1), concept("c", 2)],
            [
                edge("a", "b", "prerequisite", 0.9),
                edge("b", "c", "prerequisite", 0.8),
                edge("c", "a", "prerequisite", 0.3),
                edge("b", "a", "part_of"),
            ],
        )
        deleted = await store.delete_edges(
            owner,
            [
                (ids["c"], ids["a"], "prerequisite"),
                (ids["c"], ids["a"], "prerequisite"),  # named twice, deleted once
                (ids["a"], ids["b"], "part_of"),  # no such edge of this kind
                (uuid4(), ids["a"], "prerequisite"),  # no such concept
            ],
        )
        assert deleted == 1
        assert await keyed_edges(store, owner) == {
            ("a", "b", "prerequisite"),
            ("b", "c", "prerequisite"),
            ("b", "a", "part_of"),
        }
        assert await store.delete_edges(owner, []) == 0
        assert len(await store.concepts(owner)) == 3

    # -- owners --------------------------------------------------------------------

    async def test_one_owner_never_sees_or_changes_another_owners_graph(
        self, store: GraphStore, new_owner: NewOwner
    ) -> None:
        alice, bob = await new_owner(), await new_owner()
        document = uuid4()  # even the same document id
        drafts = [concept("a", 0), concept("b", 1)]
        alices = await store.put_document_graph(
            alice, document, drafts, [edge("b", "a", "prerequisite")]
        )
        before = await snapshot(store, alice)

        assert await store.concepts(bob) == []
        assert await store.edges(bob) == []
        assert await store.concept_ids(bob, ["a", "b"]) == {}
        with pytest.raises(ValueError, match="'a'"):
            await store.put_document_graph(bob, uuid4(), [concept("c", 0)], [edge("c", "a")])
        bobs = await store.put_document_graph(bob, document, [concept("a", 5)], [])
        assert bobs["a"] != alices["a"]
        assert await store.delete_edges(bob, [(alices["b"], alices["a"], "prerequisite")]) == 0
        await store.remove_document(bob, document)
        await store.delete_owner(bob)
        assert await snapshot(store, alice) == before

        await store.delete_owner(alice)
        assert await store.concepts(alice) == []
        assert await store.edges(alice) == []

    # -- size and health -----------------------------------------------------------

    async def test_a_large_document_is_written_and_rewritten(
        self, store: GraphStore, owner: UUID
    ) -> None:
        document = uuid4()
        drafts = [
            concept(
                f"concept number {i}",
                i,
                title=f"Concept number {i}",
                summary=f"What concept {i} is about, in a sentence or two of text.",
                key_points=(f"first point of {i}", f"second point of {i}"),
            )
            for i in range(300)
        ]
        edges = [edge(f"concept number {i}", f"concept number {i // 10}") for i in range(10, 300)]
        edges += [
            edge(f"concept number {i}", f"concept number {i + 1}", "prerequisite", 0.5, "order")
            for i in range(299)
        ]
        edges += [
            edge(f"concept number {i}", f"concept number {i + 2}", "prerequisite", 0.25, "link")
            for i in range(11)
        ]
        assert len(edges) == 600
        ids = await store.put_document_graph(owner, document, drafts, edges)
        assert len(ids) == 300
        stored = await store.concepts(owner)
        assert [c.key for c in stored] == [d.key for d in drafts]
        assert len(await store.edges(owner)) == 600

        again = await store.put_document_graph(owner, document, drafts[:150], edges[:100])
        assert {k: ids[k] for k in again} == again
        assert len(await store.concepts(owner)) == 150
        assert len(await store.edges(owner)) == 100
        await store.remove_document(owner, document)
        assert await store.concepts(owner) == []
        assert await store.ping()

    async def test_concurrent_puts_of_one_owner_keep_the_graph_consistent(
        self, store: GraphStore, owner: UUID
    ) -> None:
        documents = [uuid4() for _ in range(4)]
        shared = [concept(f"shared {i}", i) for i in range(20)]

        async def put(index: int, document: UUID) -> None:
            own = [concept(f"own {index} {i}", 100 + i) for i in range(10)]
            edges = [edge(f"own {index} {i}", f"shared {i}") for i in range(10)]
            await store.put_document_graph(owner, document, shared + own, edges)

        await asyncio.gather(*(put(i, d) for i, d in enumerate(documents)))
        stored = await store.concepts(owner)
        assert len(stored) == 20 + 4 * 10
        assert all(len(c.documents) == 4 for c in stored if c.key.startswith("shared"))
        await asyncio.gather(*(store.remove_document(owner, d) for d in documents))
        assert await store.concepts(owner) == []
        assert await store.edges(owner) == []

    async def test_setup_is_idempotent_and_ping_answers(self, store: GraphStore) -> None:
        await store.setup()
        await store.setup()
        assert isinstance(await store.ping(), str)
        assert store.where
