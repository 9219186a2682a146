"""Terms the notes introduce, and the hard prerequisites they show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import uuid4

import networkx as nx
import pytest

from tutor.graph.model import Concept, ConceptDraft, ConceptRole, EdgeDraft
from tutor.ingest.concepts import LINK_WEIGHT, ORDER_WEIGHT, extract_concepts, normalise_title
from tutor.ingest.corpus import TocEntry, author_order, document_edges, link_edges
from tutor.ingest.markdown import parse_markdown
from tutor.ingest.summary import parse_summary
from tutor.ingest.terms import (
    MAX_INTRODUCERS,
    MAX_TERM_EDGES,
    MIN_USE_SCORE,
    TERM_WEIGHT,
    ConceptText,
    concept_terms,
    document_term_edges,
    introduced_terms,
    normalise_term,
    term_edges,
)


def terms_of(markdown: str) -> tuple[str, ...]:
    """The terms the first section of ``markdown`` introduces."""
    return introduced_terms(parse_markdown(markdown, name="notes.md").root)


def body_terms(body: str) -> tuple[str, ...]:
    """The terms a section with a neutral heading introduces in ``body``."""
    return tuple(t for t in terms_of(f"# Zzyzx\n\n{body}\n") if t != "zzyzx")


# -- normalising ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("The References,", "reference"),
        ("**Opportunity Costs**", "opportunity cost"),
        ("hash maps", "hash map"),
        ("Classes", "class"),
        ("matches", "match"),
        ("libraries", "library"),
        ("status", "status"),
        ("Rust\u2019s", "rust"),
        ("ÉCOLE", "école"),
        ("the", ""),
        ("a", ""),
        ("of the", ""),
        ("42", ""),
        ("Low inflation: 1 -- 3%", "low inflation"),
        ("U-5", ""),
        ("2D graphics", "2d graphic"),
        ("++", ""),
        ("x", ""),
        ("Notes", ""),
        ("alpha beta gamma delta epsilon", ""),
        ("所有権", "所有権"),
    ],
)
def test_normalise_term(written: str, term: str) -> None:
    assert normalise_term(written) == term


# -- what a section introduces -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "term"),
    [
        ("A **reference** is like a pointer to data owned elsewhere.", "reference"),
        ("Lending a value without giving it away: we call this *borrowing*.", "borrowing"),
        ("Declaring a name twice is known as _shadowing_.", "shadowing"),
        ("This is referred to as _last in, first out (LIFO)_.", "lifo"),
        ("In Rust, a **reference** is like a pointer.", "reference"),
        ("The **opportunity cost** of a choice is what you give up.", "opportunity cost"),
        ("_Ownership_ is a set of rules that govern memory.", "ownership"),
        ("Every value has a _data type_, which tells the compiler its kind.", "data type"),
        ("If you have heard the terms _shallow copy_ and _deep copy_ before.", "deep copy"),
        ("`Vec<T>` is a growable array.", "`vec`"),
        ("The first collection is `Vec<T>`, also known as a vector.", "`vec`"),
        ("The first collection is `Vec<T>`, also known as a vector.", "vector"),
        ("A _trait_ defines the functionality a type can share.", "trait"),
        ("The `String` type holds owned, growable text.", "`string`"),
        ("A slice is a kind of reference to part of a collection.", "slice"),
        ("Elasticity measures how strongly demand responds to a price change.", "elasticity"),
        ("**Scarcity**: wants exceed the resources that could satisfy them.", "scarcity"),
        ("- Comparative advantage: producing at a lower opportunity cost", "comparative advantage"),
        ("Marginal utility\n: the extra satisfaction from one more unit", "marginal utility"),
        ("Une **variable** est une valeur nommée.", "variable"),
        ("La *microéconomie* est l'étude des choix individuels.", "microéconomie"),
        ("Der **Zeiger** ist eine Adresse im Speicher.", "zeiger"),
        ("Una **función** es un bloque de código con nombre.", "función"),
        ("**所有権**とは、メモリを管理する規則です。", "所有権"),
        ("Η **ζήτηση** είναι η ποσότητα που ζητείται.", "ζήτηση"),  # noqa: RUF001
        ("> A **closure** is a function that captures its environment.", "closure"),
    ],
)
def test_a_defining_sentence_introduces_its_term(body: str, term: str) -> None:
    assert term in body_terms(body)


@pytest.mark.parametrize(
    "body",
    [
        "You *must* not do this, and it is _very_ easy to get wrong.",
        "Open _src/main.rs_ and replace its contents.",
        "The function named `guess` reads a line; a variable called `apple` holds it.",
        "Note: the compiler checks this for you at every build.",
        "For example: the program prints a greeting and exits.",
        "The answer is 42. Rust is a language. This means nothing here.",
        "Run `cargo build` and then `+` or `&&` in an expression.",
        "We will see **much more** about this in a later chapter.",
        "The program reads the file and then it prints every line.",
    ],
)
def test_ordinary_prose_introduces_nothing(body: str) -> None:
    assert body_terms(body) == ()


@pytest.mark.parametrize(
    ("heading", "present", "absent"),
    [
        ("Ownership Rules", {"ownership rule"}, {"ownership", "rule"}),
        ("What Is Ownership?", {"ownership"}, {"what is ownership"}),
        ("Variables and Mutability", {"variable", "mutability"}, set()),
        ("Supply and Demand", {"supply and demand", "supply", "demand"}, set()),
        ("Hello, World!", {"hello world"}, {"hello", "world"}),
        ("Defining and Instantiating Structs", {"instantiating struct"}, {"defining"}),
        ("Who Rust Is For", set(), {"rust", "rust is for"}),
        ("Summary", set(), {"summary"}),
        ("Getting Started", set(), {"getting started"}),
        ("所有権とは", {"所有権"}, set()),
        ("Η αγορά", {"αγορά"}, set()),  # noqa: RUF001
    ],
)
def test_a_heading_introduces_what_it_names(
    heading: str, present: set[str], absent: set[str]
) -> None:
    terms = set(terms_of(f"# {heading}\n\nSome words about it.\n"))
    assert present <= terms
    assert not absent & terms


def test_terms_of_sub_sections_stay_theirs() -> None:
    doc = parse_markdown(
        "# Memory\n\nThe **heap** is memory asked for at run time.\n\n"
        "## Stack\n\nThe **stack** is memory in last in, first out order.\n",
        name="memory.md",
    )
    root, stack = doc.sections
    assert "heap" in introduced_terms(root)
    assert "stack" not in introduced_terms(root)
    assert "stack" in introduced_terms(stack)


def test_a_concept_gathers_its_sections_terms_and_drafts_carry_them() -> None:
    doc = parse_markdown(
        "# Costs\n\nThe **opportunity cost** of a choice is what is given up.\n\n"
        "## Costs\n\nA **sunk cost** is a cost already paid that cannot be recovered.\n",
        name="costs.md",
    )
    graph = extract_concepts(doc, position_base=0)
    terms = concept_terms(doc, graph.section_keys)
    (concept,) = [c for c in graph.concepts if c.key == "costs"]
    assert {"opportunity cost", "sunk cost", "cost"} <= set(terms["costs"])
    assert concept.terms == terms["costs"]


# -- edges ---------------------------------------------------------------------------


def draft(key: str, position: int, terms: Sequence[str] = (), *, level: int = 2) -> ConceptDraft:
    return ConceptDraft(
        key=key,
        title=key.title(),
        summary="",
        level=level,
        key_points=(),
        position=position,
        terms=tuple(terms),
    )


def user(key: str, position: int, text: str, *, title: str = "") -> ConceptText:
    return ConceptText(key=key, position=position, titles=(title or key.title(),), text=text)


def pairs(edges: Sequence[EdgeDraft]) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in edges}


def test_a_later_concept_using_a_term_needs_its_introducer() -> None:
    introducers = [draft("costs", 1, ["opportunity cost"]), draft("demand", 2, ["demand"])]
    users = [
        user(
            "trade",
            10,
            "Trade has an opportunity cost; opportunity costs add up to an"
            " opportunity cost per day.",
        ),
        user("prices", 11, "Prices move with demand. When demand rises, prices rise; demand!"),
        # A passing mention or two is no need.
        user("history", 12, "Merchants sailed far. The opportunity cost was never named."),
        user("ports", 13, "Ports grew with demand, and demand for ships grew too."),
    ]
    edges = term_edges(introducers, users)
    assert pairs(edges) == {("costs", "trade"), ("demand", "prices")}
    assert MIN_USE_SCORE == 3
    assert all(e.kind == "prerequisite" and e.origin == "term" for e in edges)
    # Below links, so that a cycle breaks on a term first; above the author's order.
    assert all(ORDER_WEIGHT < e.weight == TERM_WEIGHT < LINK_WEIGHT for e in edges)


def test_a_use_in_the_title_counts_more_than_one_in_the_text() -> None:
    introducers = [draft("costs", 1, ["opportunity cost"])]
    once = user("choices", 10, "There is an opportunity cost.")
    titled = user("measuring", 11, "It is hard to measure.", title="Measuring Opportunity Cost")
    assert pairs(term_edges(introducers, [once, titled])) == {("costs", "measuring")}


def test_plurals_and_case_match_on_word_boundaries() -> None:
    introducers = [draft("refs", 1, ["reference"]), draft("cars", 2, ["car"])]
    users = [
        user("borrow", 10, "REFERENCES are cheap. A Reference never owns; references lend."),
        user("cards", 11, "Cards, carts, cartography, scars, careers: no car, just once."),
    ]
    assert pairs(term_edges(introducers, users)) == {("refs", "borrow")}


def test_a_term_inside_a_longer_term_is_no_use_of_it() -> None:
    introducers = [
        draft("resources", 1, ["labor"]),
        draft("employment", 2, ["labor force"]),
        draft("efficiency", 3, ["efficiency"]),
    ]
    users = [
        user("rates", 10, "The labor force grows; the labor force shrinks; labor force data."),
        replace(
            user(
                "wages",
                11,
                "Efficiency wage theory says efficiency wages pay; efficiency wage theory holds.",
                title="The Efficiency Wage Theory",
            ),
            terms=("efficiency wage theory",),
        ),
    ]
    assert pairs(term_edges(introducers, users)) == {("employment", "rates")}


def test_a_code_term_is_used_as_code_not_as_a_word() -> None:
    introducers = [draft("loops", 1, ["`while`"])]
    prose = user("reading", 10, "While you read, and while you wait, and while you sleep.")
    code = ConceptText(
        key="iterating",
        position=11,
        titles=("Iterating",),
        text="A while loop runs; the while loop stops; a while loop again.",
        code="while\nwhile\nwhile",
    )
    assert pairs(term_edges(introducers, [prose, code])) == {("loops", "iterating")}


def test_no_edge_to_an_earlier_concept_or_from_a_whole_or_from_itself() -> None:
    introducers = [
        draft("ownership", 5, ["ownership"], level=1),
        draft("ownership rules", 6, ["ownership rule"], level=2),
    ]
    text = (
        "Ownership matters; ownership moves; ownership ends. Ownership rules apply,"
        " ownership rules bind, ownership rules hold."
    )
    part_of = [("ownership rules", "ownership"), ("moves", "heap")]

    def needs(concept: ConceptText) -> set[tuple[str, str]]:
        return pairs(term_edges(introducers, [concept], part_of))

    assert needs(user("intro", 1, text)) == set()  # before: a preview, not a need
    assert needs(user("ownership", 5, text, title="Ownership")) == set()  # itself
    # A part of the introducer learns the term where it is: within its whole.
    assert needs(user("ownership rules", 6, text, title="Ownership Rules")) == set()
    assert needs(user("moves", 9, text)) == {
        ("ownership", "moves"),
        ("ownership rules", "moves"),
    }


def test_a_concept_that_defines_a_term_itself_needs_no_earlier_definition() -> None:
    introducers = [draft("basics", 1, ["string"]), draft("strings", 5, ["string"])]
    users = [
        replace(user("strings", 5, "A string is text. Strings grow. A string."), terms=("string",)),
        user("parsing", 6, "Parsing a string gives numbers; strings are read; a string ends."),
    ]
    # "parsing" needs the latest definition before it; "strings" defines its own.
    assert pairs(term_edges(introducers, users)) == {("strings", "parsing")}


def test_a_term_introduced_in_many_places_gives_no_edge() -> None:
    introducers = [draft(f"intro {i}", i, ["value"]) for i in range(MAX_INTRODUCERS + 1)]
    introducers.append(draft("tuples", 20, ["tuple"]))
    users = [user("later", 30, "A value, a value, a value, a tuple, a tuple and a tuple.")]
    assert pairs(term_edges(introducers, users)) == {("tuples", "later")}


def test_a_term_used_by_most_of_a_document_gives_no_edge() -> None:
    introducers = [draft("people", 1, ["people"]), draft("costs", 2, ["opportunity cost"])]
    text = "People choose. People trade. People work."
    users = [user(f"section {i}", 10 + i, text) for i in range(5)]
    users.append(
        user(
            "trade",
            20,
            f"{text} An opportunity cost, opportunity costs, and more opportunity costs.",
        )
    )
    assert pairs(term_edges(introducers, users)) == {("costs", "trade")}


def test_basic_vocabulary_of_the_whole_corpus_gives_no_edge() -> None:
    # "price" is named by a third of the corpus's concepts; "elasticity" by one.
    corpus = [
        replace(draft(f"market {i}", i), summary="How the price is set in market.")
        for i in range(30)
        if i % 3 == 0
    ] + [draft(f"other {i}", i) for i in range(30) if i % 3]
    introducers = [
        *corpus,
        draft("prices", 40, ["price"]),
        draft("elasticity", 41, ["elasticity"]),
    ]
    users = [
        user(
            "pricing", 50, "The price follows elasticity; price, elasticity, price and elasticity."
        )
    ]
    assert pairs(term_edges(introducers, users)) == {("elasticity", "pricing")}
    # In a corpus too small to say what is basic, both count.
    small = term_edges(introducers[-2:], users)
    assert pairs(small) == {("prices", "pricing"), ("elasticity", "pricing")}


def test_each_concept_keeps_only_its_strongest_term_edges() -> None:
    names = ["alpha", "beta", "gamma", "delta", "epsilon"]
    introducers = [draft(f"{n} intro", i, [f"{n} term"]) for i, n in enumerate(names)]
    text = " ".join(f"{n} term " * (len(names) - i + 1) for i, n in enumerate(names))
    edges = term_edges(introducers, [user("user", 50, text)])
    assert len(edges) == MAX_TERM_EDGES
    assert pairs(edges) == {(f"{n} intro", "user") for n in names[:MAX_TERM_EDGES]}


@pytest.mark.parametrize("role", ["front_matter", "back_matter", "navigation"])
def test_matter_that_is_not_taught_introduces_nothing(role: ConceptRole) -> None:
    introducers = [replace(draft("foreword", 1, ["ownership"]), role=role)]
    users = [user("moves", 5, "Ownership moves. Ownership again. Ownership!")]
    assert term_edges(introducers, users) == []


# -- a document, and a corpus in reading order ---------------------------------------

ECONOMICS = [
    (
        "scarcity.md",
        """# Scarcity

**Scarcity** is the condition of wanting more than the available resources allow.
Households, firms and governments all face it, every day and in every country.

## Opportunity Cost

The **opportunity cost** of a choice is the value of the best alternative given up.
Spending an evening studying has the opportunity cost of the wages not earned.

## Trade-offs

Households weigh food against rent, and firms weigh wages against machines. Every
country weighs schools against roads. Such weighing happens every day.
""",
    ),
    (
        "demand.md",
        """# Demand

**Demand** is the quantity of a good that buyers are willing and able to purchase at
each price. Households and firms both buy goods every day.

## Elasticity

Elasticity measures how strongly the quantity demanded responds to a change in price.
A good with many substitutes tends to show a high value of it.
""",
    ),
    (
        "production.md",
        """# Production Possibilities

A country can make cars or trucks with the workers and machines it has. Every day its
firms decide how many of each to build.

## The Frontier

Moving along the frontier has an opportunity cost: the opportunity cost of more cars
is fewer trucks, and this opportunity cost rises as workers are moved away from
what they do best.

## Pricing Decisions

Firms that know the elasticity of their demand can set prices well: with a high
elasticity, a small price rise loses many buyers, while demand with a low elasticity
lets a firm raise prices. Households notice every day.
""",
    ),
]


def stored(drafts: Sequence[ConceptDraft]) -> dict[str, Concept]:
    """Drafts as the store gives them back: concepts of one document."""
    document = uuid4()
    return {
        c.key: Concept(
            id=uuid4(),
            owner=OWNER,
            key=c.key,
            title=c.title,
            summary=c.summary,
            level=c.level,
            key_points=c.key_points,
            position=c.position,
            documents=frozenset({document}),
            role=c.role,
            terms=c.terms,
        )
        for c in drafts
    }


OWNER = uuid4()


def ingest_in_order(
    documents: Sequence[tuple[str, str]],
) -> tuple[dict[str, Concept], list[EdgeDraft]]:
    """What ingestion does with terms, document by document, without a store."""
    known: dict[str, Concept] = {}
    found: list[EdgeDraft] = []
    for index, (name, text) in enumerate(documents):
        doc = parse_markdown(text, name=name)
        graph = extract_concepts(doc, position_base=index * 10_000)
        found += document_term_edges(
            doc, graph.concepts, graph.section_keys, known.values(), graph.edges
        )
        known.update(stored(graph.concepts))
    return known, found


def test_economics_notes_get_edges_where_defined_terms_are_used() -> None:
    concepts, edges = ingest_in_order(ECONOMICS)
    assert "opportunity cost" in concepts["opportunity cost"].terms
    assert "elasticity" in concepts["elasticity"].terms
    found = pairs(edges)
    assert ("opportunity cost", "frontier") in found
    assert ("elasticity", "pricing decisions") in found
    # Words every section uses ("firm", "household", "day") define nothing: every edge
    # comes from a term its source defines and its target uses.
    for edge in edges:
        target = concepts[edge.target]
        assert concepts[edge.source].terms, edge
        assert concepts[edge.source].position < target.position, edge
    assert not any(e.target in ("trade offs", "production possibilities") for e in edges)


def test_the_same_notes_in_another_order_give_no_backward_edges() -> None:
    _, edges = ingest_in_order(list(reversed(ECONOMICS)))
    assert ("opportunity cost", "frontier") not in pairs(edges)
    assert ("elasticity", "pricing decisions") not in pairs(edges)


@pytest.mark.parametrize(
    "text",
    [
        "no headings at all, only a line of text that is about nothing in particular.",
        "# Notes\n\n## Notes\n\nNotes.\n\n## Notes\n\nMore notes.\n",
        "# Ελληνικά\n\nΗ **αγορά** είναι τόπος.\n\n## Τιμή\n\nΗ αγορά ορίζει την τιμή. Αγορά.\n",  # noqa: RUF001
        "# 日本語\n\n**所有権**とは規則です。\n\n## 借用\n\n所有権と借用。所有権が移る。\n",
        "".join(f"## Part {i}\n\nThe **term {i}** is defined here.\n\n" for i in range(2000)),
    ],
)
def test_unusual_notes_give_terms_and_edges_without_failing(text: str) -> None:
    doc = parse_markdown(text, name="odd.md")
    graph = extract_concepts(doc, position_base=0)
    edges = document_term_edges(doc, graph.concepts, graph.section_keys, [], graph.edges)
    keys = {c.key for c in graph.concepts}
    assert all(e.source in keys and e.target in keys and e.source != e.target for e in edges)


def test_terms_in_greek_give_edges() -> None:
    text = (
        "# Οικονομία\n\n## Αγορά\n\nΗ **αγορά** είναι ο τόπος όπου οι αγοραστές και οι "  # noqa: RUF001
        "πωλητές συναντιούνται για να ανταλλάξουν αγαθά και υπηρεσίες κάθε μέρα της "  # noqa: RUF001
        "εβδομάδας.\n\n## Τιμή\n\nΗ αγορά ορίζει την τιμή κάθε αγαθού. Στην αγορά οι "  # noqa: RUF001
        "αγοραστές και οι πωλητές συμφωνούν σε μια τιμή. Η αγορά κλείνει.\n"  # noqa: RUF001
    )
    doc = parse_markdown(text, name="notes.md")
    graph = extract_concepts(doc, position_base=0)
    edges = document_term_edges(doc, graph.concepts, graph.section_keys, [], graph.edges)
    assert ("αγορά", "τιμή") in pairs(edges)


def test_terms_in_a_script_without_spaces_match_inside_its_text() -> None:
    doc = parse_markdown("# 所有権\n\n**所有権**とは、値を持つ規則です。\n", name="ja.md")
    assert "所有権" in introduced_terms(doc.root)
    introducers = [draft("所有権", 1, introduced_terms(doc.root))]
    users = [user("借用", 5, "借用しても所有権は移らない。所有権を持つ変数が一つ。所有権は一つ。")]
    assert pairs(term_edges(introducers, users)) == {("所有権", "借用")}


# -- the Rust book -------------------------------------------------------------------

BOOK = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "rust-book"


def ingest_book() -> tuple[dict[str, Concept], list[EdgeDraft]]:
    """The book's concepts and edges as ingestion makes them, without a store.

    A key that an earlier chapter holds is qualified with the chapter, as ingestion
    does for namesakes of different meaning.
    """
    entries = parse_summary((BOOK / "SUMMARY.md").read_text(encoding="utf-8"))
    toc = [TocEntry(e.path, e.parent_path, e.title) for e in entries]
    paths = [p.name for p in BOOK.glob("*.md") if p.name != "SUMMARY.md" and p.stem.islower()]
    ordered = author_order(paths, toc)
    concepts: dict[str, Concept] = {}
    edges: list[EdgeDraft] = []
    root_keys: dict[str, str] = {}
    sections: dict[str, list[dict[str, Any]]] = {}
    for index, path in enumerate(ordered):
        doc = parse_markdown((BOOK / path).read_text(encoding="utf-8"), name=path)
        graph = extract_concepts(doc, position_base=index * 10_000)
        title = normalise_title(doc.title)
        new = {c.key: f"{c.key} ({title})" for c in graph.concepts if c.key in concepts}
        drafts = [replace(c, key=new.get(c.key, c.key)) for c in graph.concepts]
        keys = {p: new.get(k, k) for p, k in graph.section_keys.items()}
        own = [
            replace(e, source=new.get(e.source, e.source), target=new.get(e.target, e.target))
            for e in graph.edges
        ]
        root_keys[path] = keys[doc.root.position]
        sections[path] = [
            {"anchor": s.anchor, "key": keys[s.position], "title": s.title}
            for s in doc.root.walk()
            if s.position in keys
        ]
        links = [(new.get(k, k), target, anchor) for k, target, anchor in graph.external_links]
        own += document_edges(path, root_keys[path], ordered, toc, root_keys)
        own += link_edges(path, links, sections, ordered)
        own += document_term_edges(doc, drafts, keys, concepts.values(), own)
        concepts.update(stored(drafts))
        edges += own
    return concepts, edges


def learning_closure(
    concepts: dict[str, Concept], edges: Sequence[EdgeDraft], title: str, origins: set[str]
) -> set[str]:
    """The target, its parts, and their prerequisites of ``origins``, transitively."""
    (target,) = [k for k, c in concepts.items() if c.title == title]
    parts: nx.DiGraph[str] = nx.DiGraph()
    before: nx.DiGraph[str] = nx.DiGraph()
    for edge in edges:
        if edge.kind == "part_of":
            parts.add_edge(edge.source, edge.target)
        elif edge.origin in origins:
            before.add_edge(edge.source, edge.target)
    wanted = {target} | (nx.ancestors(parts, target) if target in parts else set())
    closure = set(wanted)
    for key in wanted:
        if key in before:
            closure |= nx.ancestors(before, key)
    return closure & set(concepts)


@pytest.mark.skipif(
    not (BOOK / "SUMMARY.md").is_file(), reason=f"the Rust book evaluation copy is absent: {BOOK}"
)
def test_the_rust_book_paths_hold_a_handful_of_hard_prerequisites() -> None:
    concepts, edges = ingest_book()
    term = [e for e in edges if e.origin == "term"]
    by_title = {c.title: c for c in concepts.values()}
    print(f"\nRust book: {len(concepts)} concepts, {len(term)} term edges")
    for title in [
        "What Is Ownership?",
        "References and Borrowing",
        "Variables and Mutability",
        "Data Types",
        "The Slice Type",
        "Defining an Enum",
    ]:
        print(f"  {title}: {by_title[title].terms}")
    assert "ownership" in by_title["What Is Ownership?"].terms
    assert "reference" in by_title["References and Borrowing"].terms
    # The one hard prerequisite the chapter names in its text.
    assert ("what is ownership", "references and borrowing", "term") in {
        (e.source, e.target, e.origin) for e in term
    }
    # Fewer term edges than concepts: a few sure edges, not every shared word.
    assert 0 < len(term) < len(concepts)
    per_target = Counter(e.target for e in term)
    assert max(per_target.values()) <= MAX_TERM_EDGES

    for title in ["What Is Ownership?", "References and Borrowing"]:
        hard = learning_closure(concepts, edges, title, {"link", "term"})
        everything = learning_closure(concepts, edges, title, {"link", "term", "order", "summary"})
        print(
            f"  path to {title}: {len(hard)} concepts on hard prerequisites, "
            f"{len(everything)} with the reading order: "
            + ", ".join(sorted(concepts[k].title for k in hard))
        )
        assert len(hard) <= 15
        assert hard < everything


def test_a_long_document_chains_each_section_to_the_one_defining_its_term() -> None:
    filler = "It is studied with care, compared with earlier work, and written down plainly."
    text = "# Glossary Walk\n\n" + "".join(
        f"## Topic {i}\n\nA **notion{i}** is what topic {i} is about. {filler}\n"
        + (
            f"It builds on notion{i - 1}: notion{i - 1} here, notion{i - 1} there.\n\n"
            if i
            else "\n"
        )
        for i in range(600)
    )
    doc = parse_markdown(text, name="walk.md")
    graph = extract_concepts(doc, position_base=0)
    edges = document_term_edges(doc, graph.concepts, graph.section_keys, [], graph.edges)
    assert pairs(edges) == {(f"topic {i - 1}", f"topic {i}") for i in range(1, 600)}


def test_a_concept_only_the_replaced_version_holds_introduces_nothing() -> None:
    (old,) = stored([draft("costs", 1, ["opportunity cost"])]).values()
    doc = parse_markdown(
        "# Trade\n\nEvery trade has an opportunity cost. Counting the opportunity cost of"
        " each trade shows why the opportunity cost of waiting is high for most traders.\n",
        name="trade.md",
    )
    graph = extract_concepts(doc, position_base=10)
    args = (doc, graph.concepts, graph.section_keys, [old], graph.edges)
    assert ("costs", "trade") in pairs(document_term_edges(*args))
    (version,) = old.documents
    assert document_term_edges(*args, replaced=version) == []
    assert ("costs", "trade") in pairs(document_term_edges(*args, replaced=uuid4()))
