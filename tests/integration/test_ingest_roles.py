"""What the stored curriculum holds: roles, standalone titles, and the ingest report.

On the real stack (PostgreSQL, Chroma, the embedding model), with notes written for the
tests: an economics course whose every chapter has "General Notes", "Terms" and a
"Summary", with a preface, a glossary, a README and a SUMMARY.md that names a file that
is not there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from click.testing import CliRunner
from langchain_core.embeddings import Embeddings
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import real_ingestor, sign_up, upload
from tutor.api.app import create_app
from tutor.cli import main
from tutor.config import Settings, get_settings
from tutor.ingest.concepts import normalise_title
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor

pytestmark = pytest.mark.integration

CHAPTERS = {
    "supply.md": ("Supply and Demand", "price", "quantity demanded"),
    "elasticity.md": ("Elasticity", "responsiveness", "percentage change"),
    "markets.md": ("Market Structures", "competition", "market power"),
}


def _chapter(title: str, subject: str, term: str) -> str:
    body = (
        f"The {subject} of a good shapes how buyers and sellers meet in a market. Economists "
        f"describe the {term} with a schedule, a curve and an equation, and they compare "
        f"the {subject} across goods, places and years to explain what people choose. "
    )
    return (
        f"# {title}\n\n{body}\n\n## General Notes\n\n{body * 2}\n\n"
        f"## Terms\n\n- **{term.title()}**: {body}\n\n## Summary\n\n{body}\n"
    )


SUMMARY = """\
# Summary

[Preface](preface.md)

- [Supply and Demand](supply.md)
- [Elasticity](elasticity.md)
- [Market Structures](markets.md)
- [International Trade](trade.md)

[Glossary](glossary.md)
"""
PREFACE = (
    "# Preface\n\nThese notes were written for a first course in economics. They follow the "
    "lectures week by week and were revised after each term with the students' comments.\n"
)
GLOSSARY = (
    "# Glossary\n\n- **Demand**: what buyers want at each price.\n"
    "- **Supply**: what sellers offer at each price.\n"
    "- **Elasticity**: how much one quantity responds to another.\n"
)
README = "# About these notes\n\nOpen SUMMARY.md for the order of the chapters.\n"


def course() -> list[SourceFile]:
    files = [
        SourceFile("econ/SUMMARY.md", SUMMARY.encode()),
        SourceFile("econ/preface.md", PREFACE.encode()),
        SourceFile("econ/glossary.md", GLOSSARY.encode()),
        SourceFile("econ/README.md", README.encode()),
    ]
    files += [
        SourceFile(f"econ/{path}", _chapter(*parts).encode()) for path, parts in CHAPTERS.items()
    ]
    return files


@pytest.fixture
async def stack(
    database_url: str, tmp_path: Path, embeddings: Embeddings
) -> AsyncIterator[tuple[Ingestor, asyncpg.Pool, UUID]]:
    async with real_ingestor(database_url, tmp_path, embeddings) as (service, pool, _, owner):
        yield service, pool, owner


async def test_a_course_becomes_teachable_concepts_with_titles_that_stand_alone(
    stack: tuple[Ingestor, asyncpg.Pool, UUID],
) -> None:
    ingestor, pool, owner = stack
    report = await ingestor.ingest(owner, course())
    assert {f.status for f in report.files} == {"ingested"}
    concepts = await ingestor.graph.concepts(owner)
    roles = {c.title: c.role for c in concepts}
    assert roles == {
        "Preface": "front_matter",
        "Supply and Demand": "teachable",
        "Supply and Demand: General Notes": "teachable",
        "Supply and Demand: Terms": "teachable",
        "Elasticity": "teachable",
        "Elasticity: General Notes": "teachable",
        "Elasticity: Terms": "teachable",
        "Market Structures": "teachable",
        "Market Structures: General Notes": "teachable",
        "Market Structures: Terms": "teachable",
        "Glossary": "back_matter",
        "About these notes": "front_matter",
    }
    assert report.roles == {"teachable": 9, "front_matter": 2, "back_matter": 1}
    assert report.merged == {"recap": 3}
    assert report.duplicate_titles == []
    # Ten chapters' generic notes are never one concept, so no cycle runs through them.
    assert not [e for e in report.cycles_broken if "General Notes" in str(e["source"])]
    assert any("trade.md" in notice and "SUMMARY.md" in notice for notice in report.notices)
    # The preface and the glossary teach nothing, as expected: no notice says so.
    assert not [notice for notice in report.notices if "nothing to teach" in notice]

    # A chapter's summary is searchable, as the chapter's review material.
    rows = await pool.fetch(
        "SELECT c.concept_key FROM chunks c WHERE c.owner_id = $1 AND c.heading_path[2] = $2",
        owner,
        "Summary",
    )
    assert sorted(r["concept_key"] for r in rows) == sorted(
        normalise_title(title) for title, _, _ in CHAPTERS.values()
    )

    again = await ingestor.ingest(owner, course())
    assert {f.status for f in again.files} == {"unchanged"}
    assert again.duplicate_titles == [] and again.roles == report.roles


async def test_no_two_concepts_share_a_title_across_documents_and_re_uploads(
    stack: tuple[Ingestor, asyncpg.Pool, UUID],
) -> None:
    ingestor, _, owner = stack
    await ingestor.ingest(owner, course())
    # The same chapter again in another folder, word for word: its generic notes are
    # another document's and never merge with the first; nor does any title repeat.
    copy = _chapter(*CHAPTERS["supply.md"]).encode()
    second = await ingestor.ingest(owner, [SourceFile("week2/supply.md", copy)])
    third = await ingestor.ingest(owner, [SourceFile("week3/supply.md", copy)])
    titles = [c.title for c in await ingestor.graph.concepts(owner)]
    assert second.duplicate_titles == third.duplicate_titles == []
    assert Counter(normalise_title(t) for t in titles).most_common(1)[0][1] == 1
    notes = [t for t in titles if t.startswith("Supply and Demand: General Notes")]
    assert len(notes) == 3
    # A re-upload that changes the text keeps the titles it had.
    changed = copy.replace(b"Economists", b"Most economists")
    await ingestor.ingest(owner, [SourceFile("week2/supply.md", changed)])
    assert sorted(c.title for c in await ingestor.graph.concepts(owner)) == sorted(titles)


async def test_notes_with_nothing_to_teach_get_a_clear_notice(
    stack: tuple[Ingestor, asyncpg.Pool, UUID],
) -> None:
    ingestor, _, owner = stack
    report = await ingestor.ingest(owner, [SourceFile("economics.md", b"# Economics\n")])
    assert report.roles == {"chapter": 1}
    assert "economics.md: nothing to teach here (no teachable section)" in report.notices
    assert "no section of these notes has enough text to teach" in report.notices


async def test_the_graph_api_gives_each_concept_its_role(settings: Settings) -> None:
    client: AsyncTestClient[Litestar]
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        files = {f.path.removeprefix("econ/"): f.data for f in course()}
        assert (await upload(client, files))["status"] == "done"
        nodes = (await client.get("/api/v1/graph")).json()["nodes"]
    roles = {n["title"]: n["role"] for n in nodes}
    assert roles["Preface"] == "front_matter"
    assert roles["Glossary"] == "back_matter"
    assert roles["Elasticity: Terms"] == "teachable"
    assert all(isinstance(n["terms"], list) for n in nodes)


def test_tutor_ingest_prints_the_curriculum(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "econ"
    folder.mkdir()
    for source in course():
        (folder / source.path.removeprefix("econ/")).write_bytes(source.data)
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert (
        "concepts: 9 teachable, 0 chapter, 2 front matter, 1 back matter, 0 navigation; "
        "merged sections: 0 thin, 3 recap; duplicate titles: 0"
    ) in result.output
    assert "note: SUMMARY.md names 1 file(s) that were not uploaded: trade.md" in result.output


async def test_notes_in_japanese_and_greek(stack: tuple[Ingestor, asyncpg.Pool, UUID]) -> None:
    ingestor, _, owner = stack
    ja = "需要と供給は市場価格を決める基本的な仕組みであり、価格が上がると需要は減少する。" * 2
    el = (
        "Η ζήτηση μειώνεται όταν η τιμή αυξάνεται και οι άλλοι παράγοντες μένουν σταθεροί, "  # noqa: RUF001
        "ενώ η προσφορά αυξάνεται με την τιμή για τα περισσότερα αγαθά της αγοράς. "  # noqa: RUF001
    )
    files = [
        SourceFile(
            "ja/keizai.md",
            f"# 経済学\n\n{ja}\n\n## 用語\n\n{ja}\n\n## まとめ\n\n{ja}\n".encode(),
        ),
        SourceFile(
            "el/oikonomia.md",
            f"# Οικονομία\n\n{el}\n\n## Ορισμοί\n\n{el}\n\n## Περίληψη\n\n{el}\n".encode(),
        ),
        SourceFile("ja/序文.md", f"# 序文\n\n{ja}\n".encode()),
    ]
    report = await ingestor.ingest(owner, files)
    roles = {c.title: c.role for c in await ingestor.graph.concepts(owner)}
    assert roles == {
        "経済学": "teachable",
        "経済学: 用語": "teachable",
        "Οικονομία": "teachable",
        "Οικονομία: Ορισμοί": "teachable",
        "序文": "front_matter",
    }
    assert report.merged == {"recap": 2}
    assert report.duplicate_titles == []
