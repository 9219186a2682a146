"""Metrics for the ingestion benchmark: concept-graph structure, prerequisite order, retrieval.

Every function here is pure (no I/O except `load_questions`) and independent of the rest of
the project, so the benchmark can score any ingestion run against reference material:

- `pair_precision_recall`: predicted (child, parent) part-of pairs against reference pairs.
- `order_agreement`: how many predicted prerequisite edges (before, after) agree with a
  reference order of items; `ranking_agreement`: Kendall-style agreement of two orders.
- `recall_at_k` (with `first_hit_rank`): whether the section that answers a question is
  among the top-k retrieved chunks.
- `summary_parent_pairs` and `summary_order`: the reference nesting and order read from an
  mdBook `SUMMARY.md`.
- `load_questions`: a JSON-lines question set, one `{"q", "file", "section"}` object a line,
  with an optional `"kind"`: "meaning" (the default) or "lexical" (the question turns on a
  word whose exact form matters: an error code, a keyword, a name).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from markdown_it import MarkdownIt

Pair = tuple[str, str]
"""A directed pair of item names: (child, parent) or (before, after)."""

HeadingPath = str | Sequence[str]
"""One section title, or the path of headings from the top of a file down to a chunk."""

Retrieved = tuple[str, HeadingPath]
"""One retrieved chunk: (file, heading path) or (file, section title)."""


@dataclass(frozen=True, slots=True)
class Question:
    """One benchmark question and the section of a file that answers it."""

    q: str
    file: str
    section: str
    kind: str = "meaning"
    """"meaning", or "lexical" when an exact word (error code, keyword, name) answers it."""

    @property
    def answer(self) -> tuple[str, str]:
        """The (file, section) pair that `recall_at_k` expects."""
        return (self.file, self.section)


# --- Graph structure ---------------------------------------------------------------------


def pair_precision_recall(
    predicted: Iterable[Pair], expected: Iterable[Pair]
) -> tuple[float, float]:
    """Precision and recall of predicted (child, parent) pairs against expected ones.

    Both inputs are treated as sets, so repeated pairs count once. Edge cases:
    both empty gives (1.0, 1.0); an empty prediction gives precision 0.0 (and recall 0.0
    when something was expected); an empty expectation gives recall 1.0 (nothing was
    missed) and precision 0.0 when anything was predicted.
    """
    pred = set(predicted)
    exp = set(expected)
    if not pred and not exp:
        return (1.0, 1.0)
    hits = len(pred & exp)
    precision = hits / len(pred) if pred else 0.0
    recall = hits / len(exp) if exp else 1.0
    return (precision, recall)


def _positions(order: Sequence[str], what: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, item in enumerate(order):
        if item in positions:
            raise ValueError(f"{what} lists {item!r} more than once")
        positions[item] = index
    return positions


def order_agreement(predicted_edges: Iterable[Pair], reference_order: Sequence[str]) -> float:
    """Fraction of predicted prerequisite edges (before, after) that the reference agrees with.

    An edge agrees when both endpoints appear in `reference_order` and `before` comes
    strictly earlier than `after` there. The denominator is every distinct predicted edge,
    so edges naming items the reference does not know, and self-loops, count against the
    score. No predicted edges gives 0.0. Raises ValueError when the reference repeats an item.
    """
    edges = set(predicted_edges)
    position = _positions(reference_order, "reference_order")
    if not edges:
        return 0.0
    agreeing = sum(
        1
        for before, after in edges
        if before in position and after in position and position[before] < position[after]
    )
    return agreeing / len(edges)


def ranking_agreement(predicted_order: Sequence[str], reference_order: Sequence[str]) -> float:
    """Kendall-style agreement of two orders: the fraction of concordant pairs.

    Only items present in both orders are compared; every pair of them is concordant when
    both orders put the two items the same way round. The result is (1 + tau) / 2 for
    Kendall's tau over the shared items: 1.0 for the same order, 0.0 for the reverse.
    Fewer than two shared items leaves nothing to compare and gives 0.0. Raises ValueError
    when either order repeats an item.
    """
    predicted_position = _positions(predicted_order, "predicted_order")
    _positions(reference_order, "reference_order")
    # `shared` follows the reference, so a pair is concordant when the prediction agrees.
    shared = [item for item in reference_order if item in predicted_position]
    if len(shared) < 2:
        return 0.0
    pairs = list(combinations(shared, 2))
    concordant = sum(
        1 for first, second in pairs if predicted_position[first] < predicted_position[second]
    )
    return concordant / len(pairs)


# --- Retrieval ---------------------------------------------------------------------------


def normalize_title(title: str) -> str:
    """A heading title reduced for comparison.

    Unicode-normalised (NFKC) and casefolded, with every punctuation or symbol character
    (backticks, quotes, `!`, `?`, `+`, emphasis underscores ...) turned into a space and runs
    of whitespace collapsed: "Hello, World!" and "hello world" compare equal.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(kept.split())


def _file_name(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name


def section_matches(retrieved: Retrieved, answer: tuple[str, str]) -> bool:
    """Whether one retrieved chunk counts as the answer (file, section).

    Files match on their last path component, so "notes/ch04.md" matches "ch04.md". The
    section matches when its normalised title equals the normalised title of any heading in
    the chunk's heading path, so a chunk from a subsection of the expected section counts
    too. A title that normalises to nothing never matches.
    """
    file, headings = retrieved
    expected_file, expected_section = answer
    if _file_name(file) != _file_name(expected_file):
        return False
    target = normalize_title(expected_section)
    if not target:
        return False
    path = (headings,) if isinstance(headings, str) else tuple(headings)
    return any(normalize_title(heading) == target for heading in path)


def first_hit_rank(retrieved: Sequence[Retrieved], answer: tuple[str, str]) -> int | None:
    """The 1-based rank of the first retrieved chunk matching the answer, or None."""
    for rank, item in enumerate(retrieved, start=1):
        if section_matches(item, answer):
            return rank
    return None


def recall_at_k(
    results: Sequence[Sequence[Retrieved]],
    answers: Sequence[tuple[str, str]],
    k: int = 5,
) -> float:
    """Fraction of questions whose answer is among their top-k retrieved chunks.

    `results[i]` is the ranked retrieval for question i, each item (file, heading path) or
    (file, section title); `answers[i]` is its expected (file, section). Matching follows
    `section_matches`. No questions gives 0.0. Raises ValueError when k < 1 or the two
    sequences differ in length.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if len(results) != len(answers):
        raise ValueError(f"{len(results)} result lists for {len(answers)} answers")
    if not answers:
        return 0.0
    hits = 0
    for retrieved, answer in zip(results, answers, strict=True):
        rank = first_hit_rank(retrieved[:k], answer)
        if rank is not None:
            hits += 1
    return hits / len(answers)


# --- mdBook SUMMARY.md -------------------------------------------------------------------


def _summary_entries(summary_text: str) -> list[tuple[str, str | None]]:
    """(file, linked parent file or None) for every linked entry, in document order.

    A list item's own entry is the first link of its text; nested items are its children.
    Links in paragraphs outside any list (mdBook prefix and suffix chapters) have no parent.
    Draft entries with an empty link are skipped, and their children attach to the nearest
    linked ancestor.
    """
    tokens = MarkdownIt("commonmark").parse(summary_text)
    # One slot per open list item: the file it links to, once its link has been seen.
    open_items: list[str | None] = []
    entries: list[tuple[str, str | None]] = []
    for token in tokens:
        if token.type == "list_item_open":
            open_items.append(None)
        elif token.type == "list_item_close":
            open_items.pop()
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type != "link_open":
                    continue
                href = unquote(str(child.attrGet("href") or "")).strip()
                if not open_items:
                    if href:
                        entries.append((href, None))
                    continue
                if open_items[-1] is None:
                    # Only the first link of a list item names its entry ("" for a draft).
                    open_items[-1] = href
                    if href:
                        parent = next((item for item in reversed(open_items[:-1]) if item), None)
                        entries.append((href, parent))
                break
    return entries


def summary_parent_pairs(summary_text: str) -> list[Pair]:
    """(child file, parent file) pairs given by the list nesting of an mdBook SUMMARY.md.

    Only entries with a non-empty link take part; pairs come in document order of the
    child, each once.
    """
    pairs: list[Pair] = []
    seen: set[Pair] = set()
    for file, parent in _summary_entries(summary_text):
        if parent is not None and (file, parent) not in seen:
            seen.add((file, parent))
            pairs.append((file, parent))
    return pairs


def summary_order(summary_text: str) -> list[str]:
    """The files of an mdBook SUMMARY.md in reading order, each once (first occurrence).

    Prefix chapters, numbered chapters at every depth, and suffix chapters are included;
    entries with an empty link (drafts), part titles and separators are not.
    """
    order: list[str] = []
    seen: set[str] = set()
    for file, _parent in _summary_entries(summary_text):
        if file not in seen:
            seen.add(file)
            order.append(file)
    return order


# --- Question sets -----------------------------------------------------------------------

_QUESTION_KEYS = ("q", "file", "section")
_OPTIONAL_KEYS = ("kind",)
QUESTION_KINDS = ("meaning", "lexical")
"""The kinds a question can be of."""


def load_questions(path: Path) -> list[Question]:
    """Read a JSON-lines question set: one {"q", "file", "section"[, "kind"]} object a line.

    Blank lines are skipped. Raises ValueError naming the line number when a line is not a
    JSON object, lacks a key or has an unknown one, has a value that is not a non-empty
    string, names a kind not in `QUESTION_KINDS`, or repeats an earlier question.
    """
    questions: list[Question] = []
    first_seen: dict[str, int] = {}
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
        missing = [key for key in _QUESTION_KEYS if key not in record]
        if missing:
            raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
        unknown = sorted(str(key) for key in record if key not in _QUESTION_KEYS + _OPTIONAL_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
        for key in _QUESTION_KEYS:
            value = record[key]
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: {key!r} must be a non-empty string")
        kind = record.get("kind", "meaning")
        if kind not in QUESTION_KINDS:
            raise ValueError(f"{where}: 'kind' must be one of {', '.join(QUESTION_KINDS)}")
        question = Question(
            q=record["q"], file=record["file"], section=record["section"], kind=kind
        )
        if question.q in first_seen:
            raise ValueError(
                f"{where}: question repeats line {first_seen[question.q]}: {question.q!r}"
            )
        first_seen[question.q] = number
        questions.append(question)
    return questions
