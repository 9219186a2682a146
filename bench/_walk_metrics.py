"""What the learner-walk bench judges and counts, apart from the server it talks to.

A label file per corpus says which sections a reader would not study as a lesson (front
and back matter, recaps, navigation) and, when the folder has no SUMMARY.md, the reading
order; the tutor's own classification is not trusted. From the turns of a walk come the
figures: distinct concepts, lessons on non-teachable sections, the longest run on one
concept, the furthest place reached in the reading order, mastery moves against the grade
shown, and lessons that moved past a concept the learner failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

_LINK = re.compile(r"\]\(([^)#\s]+)")
_EPSILON = 1e-9
"""Mastery moves smaller than this are rounding, not a move."""


@dataclass(frozen=True)
class Labels:
    """What a reader of the corpus judges not teachable, and its reading order."""

    files: frozenset[str]
    titles: tuple[re.Pattern[str], ...]
    order: tuple[str, ...]
    target: str | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Labels:
        """Labels from their JSON form."""
        return cls(
            files=frozenset(raw.get("non_teachable_files", [])),
            titles=tuple(
                re.compile(pattern, re.IGNORECASE)
                for pattern in raw.get("non_teachable_titles", [])
            ),
            order=tuple(raw.get("reading_order", [])),
            target=raw.get("target"),
        )


@dataclass
class Concept:
    """A node of the graph, as the bench judges it."""

    id: str
    title: str
    key_points: list[str]
    summary: str
    files: list[str]
    role: str
    teachable: bool = True
    rank: int | None = None
    """Place in the reading order among the labelled-teachable concepts (1-based)."""


@dataclass
class Turn:
    """One press of Start or Next, and what the learner did after the lesson."""

    number: int
    plan: dict[str, Any] | None = None
    lesson: dict[str, Any] | None = None
    said: str = ""
    exercises: list[dict[str, Any]] = field(default_factory=list)
    grades: list[tuple[str, str, str]] = field(default_factory=list)
    """(exercise kind, verdict, score) of each answer."""
    moves: list[str] = field(default_factory=list)
    against: int = 0
    explained: str | None = None
    errors: list[str] = field(default_factory=list)


def natural_key(name: str) -> list[Any]:
    """Sort key that puts ``ch2`` before ``ch10``."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def reading_order(corpus: Path, names: Sequence[str], labels: Labels) -> list[str]:
    """File names in the reader's order: SUMMARY.md's links, else the labels', else numbered."""
    listed: list[str] = []
    summary = corpus / "SUMMARY.md"
    if summary.is_file():
        listed = [unquote(m) for m in _LINK.findall(summary.read_text(encoding="utf-8"))]
    elif labels.order:
        listed = list(labels.order)
    known = [name for name in dict.fromkeys(listed) if name in names]
    rest = sorted((n for n in names if n not in known), key=natural_key)
    return known + rest


def is_non_teachable(title: str, files: Sequence[str], labels: Labels) -> bool:
    """Whether a reader would call this section front or back matter, a recap or navigation.

    A concept whose every file is labelled, or whose title (or its last part after a
    ``Parent: `` prefix, the way generic headings may be named) matches a labelled title.
    """
    if files and all(name in labels.files for name in files):
        return True
    parts = {title.strip(), title.rsplit(": ", 1)[-1].strip()}
    return any(pattern.fullmatch(part) for pattern in labels.titles for part in parts)


def follow_mastery(
    events: Sequence[dict[str, Any]], turn: Turn, concepts: dict[str, Concept]
) -> None:
    """Note each grade and mastery move, counting moves against the grade before them."""
    verdict: str | None = None
    for event in events:
        if event["type"] == "grade":
            verdict = event["verdict"]
        elif event["type"] == "explain_result":
            verdict = None
            turn.moves.append(
                f"explain-back {'passed' if event['passed'] else 'failed'} "
                f"score={event['score']:.2f}"
            )
        elif event["type"] == "mastery":
            before, after = float(event["before"]), float(event["p_known"])
            name = concepts[event["concept_id"]].title if event["concept_id"] in concepts else "?"
            wrong_way = (verdict == "correct" and after < before - _EPSILON) or (
                verdict == "incorrect" and after > before + _EPSILON
            )
            turn.against += wrong_way
            turn.moves.append(
                f"{name!r} {before:.2f}->{after:.2f} after {verdict or 'explain'}"
                f"{' mastered' if event['mastered'] else ''}"
                f"{' NOT COUNTED' if not event.get('counted', True) else ''}"
                f"{' AGAINST THE VERDICT' if wrong_way else ''}"
            )
        elif event["type"] == "error":
            turn.errors.append(f"{event['code']}: {event['message']}")


def figures(turns: list[Turn], concepts: dict[str, Concept]) -> dict[str, Any]:
    """The walk's figures."""
    taught = [t.lesson["concept_id"] for t in turns if t.lesson is not None]
    longest = run = 0
    for index, concept_id in enumerate(taught):
        run = run + 1 if index and taught[index - 1] == concept_id else 1
        longest = max(longest, run)
    non_teachable = sum(
        1 for concept_id in taught if concept_id in concepts and not concepts[concept_id].teachable
    )
    ranks = [rank for c in taught if c in concepts and (rank := concepts[c].rank) is not None]
    # A concept is failed once its answers hold no "correct" (and its explain-back did not
    # pass), and stays failed until a later turn on it has one.
    failed: dict[str, int] = {}
    moved_past: list[int] = []
    for turn in turns:
        concept = concepts.get(turn.lesson["concept_id"]) if turn.lesson else None
        if concept is None or concept.rank is None:
            continue
        if any(rank < concept.rank for rank in failed.values()):
            moved_past.append(turn.number)
        verdicts = [verdict for _, verdict, _ in turn.grades]
        if "correct" in verdicts or turn.explained == "passed":
            failed.pop(concept.id, None)
        elif verdicts or turn.explained == "failed":
            failed[concept.id] = concept.rank
    return {
        "lessons": len(taught),
        "distinct_concepts": len(set(taught)),
        "non_teachable_lessons": non_teachable,
        "non_teachable_share": round(non_teachable / len(taught), 3) if taught else None,
        "longest_run": longest,
        "order_position": max(ranks, default=0),
        "order_total": sum(1 for c in concepts.values() if c.rank is not None),
        "against_verdict": sum(t.against for t in turns),
        "moved_past_failed": len(moved_past),
        "moved_past_failed_turns": moved_past,
        "graded": {
            verdict: sum(1 for t in turns for _, v, _ in t.grades if v == verdict)
            for verdict in ("correct", "partial", "incorrect")
        },
        "explain_back_passed": sum(t.explained == "passed" for t in turns),
        "turn_errors": sum(len(t.errors) for t in turns),
    }


def rank_concepts(
    concepts: Mapping[str, Concept], positions: Mapping[str, int], order: Sequence[str]
) -> None:
    """Number the labelled-teachable concepts in reading order (``Concept.rank``, from 1).

    A concept sits where its earliest file sits in ``order`` (files not in it come last),
    then by its place in the author's order the graph gives (heading order in a file).
    """
    place = {name: index for index, name in enumerate(order)}

    def where(concept: Concept) -> tuple[int, int]:
        first = min((place.get(f, len(place)) for f in concept.files), default=len(place))
        return first, positions[concept.id]

    ranked = sorted((c for c in concepts.values() if c.teachable), key=where)
    for rank, concept in enumerate(ranked, start=1):
        concept.rank = rank


NOT_TAUGHT_ROLES = frozenset({"front_matter", "back_matter", "navigation"})
"""Roles the tutor never teaches (a ``chapter`` is taught through its parts)."""


def role_disagreements(concepts: Mapping[str, Concept]) -> dict[str, list[str]]:
    """Where the tutor's roles and the labels disagree, by concept title.

    ``missed``: labelled non-teachable, yet the tutor's role is ``teachable``;
    ``excluded``: labelled teachable, yet the tutor treats it as front or back matter or
    navigation.
    """
    return {
        "missed": [c.title for c in concepts.values() if not c.teachable and c.role == "teachable"],
        "excluded": [
            c.title for c in concepts.values() if c.teachable and c.role in NOT_TAUGHT_ROLES
        ],
    }
