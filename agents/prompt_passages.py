"""Passages as prompts list them: numbered, in the text the learner sees."""

from __future__ import annotations

from collections.abc import Sequence

from tutor.ingest.code_marks import Failure
from tutor.ingest.learner_text import fence_failures, learner_markdown
from tutor.teaching.material import Passage

_FAILS: dict[Failure, str] = {
    "compile": "does not compile",
    "panic": "panics when it runs",
    "misbehaves": "runs but does not do what is wanted",
}


def numbered(passages: Sequence[Passage]) -> str:
    """Passages as a prompt lists them: ``[n] (heading path)`` then the text.

    The text is what the learner sees (no page markup, no hidden lines); code the notes
    mark as failing says so, since its fence no longer shows the mark.
    """
    return "\n\n".join(
        f"[{n}] ({p.heading_path or p.document_path})\n{_listing_text(p.text)}"
        for n, p in enumerate(passages, start=1)
    )


def _listing_text(text: str) -> str:
    shown = learner_markdown(text)
    failures = dict.fromkeys(fence_failures(text))
    if not failures:
        return shown
    said = " and ".join(_FAILS[failure] for failure in failures)
    return (
        f"{shown}\n(The notes say this code {said}: teach it as failing code, "
        "never as a working example.)"
    )
