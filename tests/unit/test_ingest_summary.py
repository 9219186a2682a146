from __future__ import annotations

import pytest

from tutor.ingest.errors import EmptyDocumentError, NestingTooDeepError
from tutor.ingest.summary import SummaryEntry, natural_order, parse_summary

SUMMARY = """\
# Summary

[Preface](preface.md)
[Credits](credits.md)

# Part One

- [Seeds](seeds/index.md)
  - [Choosing Seeds](seeds/choosing.md)
  - [Not Written Yet]()
    - [Orphan Detail](seeds/orphan.md)
  1. [Odd Numbered](seeds/odd.md)
- [Soil *and* `pH`](soil.md)
    - [Deep Item](soil/deep.md)

---

[Epilogue](epilogue.md)
"""


def test_entries_in_order_with_depth_and_parent() -> None:
    assert parse_summary(SUMMARY) == [
        SummaryEntry("Preface", "preface.md", 0, None, "prefix"),
        SummaryEntry("Credits", "credits.md", 0, None, "prefix"),
        SummaryEntry("Seeds", "seeds/index.md", 0, None),
        SummaryEntry("Choosing Seeds", "seeds/choosing.md", 1, "seeds/index.md"),
        SummaryEntry("Orphan Detail", "seeds/orphan.md", 2, "seeds/index.md"),
        SummaryEntry("Odd Numbered", "seeds/odd.md", 1, "seeds/index.md"),
        SummaryEntry("Soil and pH", "soil.md", 0, None),
        SummaryEntry("Deep Item", "soil/deep.md", 1, "soil.md"),
        SummaryEntry("Epilogue", "epilogue.md", 0, None, "suffix"),
    ]


def test_paths_come_back_as_written() -> None:
    (entry,) = parse_summary("- [Spaced](<my notes/ünï.md>)\n")
    assert entry.path == "my notes/ünï.md"


def test_empty_and_too_deep_summaries_are_refused() -> None:
    with pytest.raises(EmptyDocumentError, match=r"^SUMMARY\.md: "):
        parse_summary(" \n")
    with pytest.raises(NestingTooDeepError, match=r"^book/SUMMARY\.md: "):
        parse_summary("- " * 10_000 + "[x](x.md)", name="book/SUMMARY.md")


def test_natural_order() -> None:
    paths = ["ch10-01.md", "ch2.md", "ch1.md", "Ch02-10.md", "ch02-9.md", "appendix.md"]
    assert natural_order(paths) == [
        "appendix.md",
        "ch1.md",
        "ch02-9.md",
        "Ch02-10.md",
        "ch2.md",
        "ch10-01.md",
    ]
    assert natural_order(iter(["b", "a"])) == ["a", "b"]
