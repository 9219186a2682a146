"""Structural limits, the checks before parsing, and refusals that cross processes."""

from __future__ import annotations

import pickle

import pytest

from tutor.config import IngestSettings
from tutor.ingest.errors import (
    FrontMatterError,
    IngestError,
    LimitExceededError,
    NestingTooDeepError,
    ParseBudgetError,
)
from tutor.ingest.files import SourceFile, UnsupportedFileError
from tutor.ingest.limits import check_structure
from tutor.ingest.prepare import prepare_file

SMALL = IngestSettings(max_brackets=10, max_headings=3, max_line_chars=50)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 11, "11 '[' characters (links and brackets) are over the limit of 10"),
        ("[a](" * 11, "over the limit of 10 (TUTOR_INGEST_MAX_BRACKETS)"),
        ("# a\n## b\n### c\n#### d\n", "4 heading lines are over the limit of 3"),
        ("a\n===\nb\n---\nc\n===\n# d\n", "TUTOR_INGEST_MAX_HEADINGS"),
        ("word " * 11, "a line of 55 characters is over the limit of 50"),
    ],
)
def test_each_limit_refuses_by_name(text: str, words: str) -> None:
    with pytest.raises(LimitExceededError) as refused:
        check_structure(text, name="notes.md", settings=SMALL)
    assert str(refused.value).startswith("notes.md: ") and words in str(refused.value)


def test_text_at_every_limit_passes() -> None:
    text = "# a\n## b\n\n[x](y) " + "[" * 9 + "\n### c\n" + "w" * 50
    check_structure(text, name="notes.md", settings=SMALL)


def test_hashes_that_open_no_heading_are_not_counted() -> None:
    check_structure("#hashtag\n#another\n    # code\n#x\n", name="n.md", settings=SMALL)


def test_prepare_checks_limits_before_parsing() -> None:
    with pytest.raises(LimitExceededError, match="TUTOR_INGEST_MAX_BRACKETS"):
        prepare_file(SourceFile("n.md", b"[" * 11), SMALL, len)


@pytest.mark.parametrize("value", ['"\\0"', '"a\\x00b"', '["\\0"]'])
def test_a_nul_made_by_a_yaml_escape_is_refused(value: str) -> None:
    text = f"---\ntitle: {value}\n---\n# Notes\n\ntext\n".encode()
    with pytest.raises(FrontMatterError, match=r"notes\.md: the front matter holds a NUL"):
        prepare_file(SourceFile("notes.md", text), IngestSettings(), len)


@pytest.mark.parametrize(
    "error",
    [
        IngestError("a.md", "bad"),
        LimitExceededError("b.md", "too many"),
        ParseBudgetError("c.md", "slow"),
        NestingTooDeepError("d.md", "deep"),
    ],
)
def test_refusals_survive_pickling_between_processes(error: IngestError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.name, copy.problem, str(copy)) == (error.name, error.problem, str(error))


def test_a_table_of_contents_linking_a_nul_path_is_refused() -> None:
    summary = b"# Summary\n\n- [Intro](intro.md)\n- [Odd](odd%00.md)\n"
    with pytest.raises(UnsupportedFileError) as refused:
        prepare_file(SourceFile("book/SUMMARY.md", summary), IngestSettings(), len)
    message = str(refused.value)
    assert message.startswith("book/SUMMARY.md: the entry 'Odd' links book/odd\\x00.md")
    assert "\x00" not in message
