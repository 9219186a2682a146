"""What each section of a document is for: teachable material, or not.

Every section gets a :data:`SectionKind`:

- ``front_matter`` / ``back_matter``: its heading is one of the word list's (title page,
  foreword, licence, index, ...), or the whole document is (an mdBook prefix or suffix
  chapter, a folder's README, a file named ``foreword.md``); the sections under it are too;
- ``navigation``: mostly links (a share of its words are link text), or headed so;
- ``recap``: headed "Summary", "Recap", "Key takeaways" and the like; it is no concept:
  its text (and anything under it) joins its parent's concept as review material;
- ``thin``: too little text of its own to teach alone and no teachable parts; it joins
  its parent's concept;
- ``chapter``: little text of its own but teachable parts (in the document, or other
  documents that the table of contents puts under it, whose opening file is allowed
  more words: it previews them): kept to group them, never taught;
- ``teachable``: everything else. A document's root is never thin: when it is all there
  is, it is taught, unless it has no text at all.

Words are counted in any script: a run of CJK characters counts one word for every two
characters, since those scripts do not put spaces between words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, cast

from tutor.graph.model import ConceptRole
from tutor.ingest._document import Block, Section
from tutor.ingest.section_words import SectionWords, section_words

__all__ = [
    "DocumentContext",
    "RoleRules",
    "SectionKind",
    "classify_sections",
    "count_words",
]

SectionKind = Literal[
    "teachable", "chapter", "front_matter", "back_matter", "navigation", "recap", "thin"
]
FOLDED: frozenset[SectionKind] = frozenset({"recap", "thin"})
"""Kinds whose sections join their parent's concept instead of being one."""

_TOKEN = re.compile(r"[^\W_]+")
_WIDE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
"""Kana and CJK ideographs: scripts written without spaces between words."""
_LINK_TEXT = re.compile(r"(?<!!)\[([^\]\n]*)\]\s*[(\[]")
_AUTOLINK = re.compile(r"<[a-z][a-z0-9+.-]*:[^>\s]+>", re.IGNORECASE)


@dataclass(frozen=True)
class RoleRules:
    """The thresholds of the classification (``IngestSettings`` holds the user's)."""

    thin_words: int = 20
    """A section with fewer words of its own (and no teachable parts) joins its parent."""
    chapter_words: int = 150
    """A document that other documents are parts of (the table of contents nests them
    under it) and with fewer words of its own is a ``chapter``; a section with teachable
    parts is one below ``thin_words``."""
    navigation_link_share: float = 0.6
    """A section whose words are at least this share link text is ``navigation``..."""
    navigation_min_links: int = 3
    """...when it holds at least this many links."""


@dataclass(frozen=True)
class DocumentContext:
    """What the corpus says about a document as a whole."""

    role: Literal["front_matter", "back_matter"] | None = None
    """Imposed on every section: a prefix or suffix chapter, a folder's README, ..."""
    has_parts: bool = False
    """Other documents are its parts (the table of contents nests them under it)."""
    qualifier: str | None = None
    """Names the document's place when its own title is generic (its folder)."""


def count_words(text: str) -> int:
    """Words in ``text``, in any script (see the module docstring)."""
    wide = len(_WIDE.findall(text))
    if not wide:
        return len(_TOKEN.findall(text))
    spaced = _TOKEN.findall(_WIDE.sub(" ", text))
    return len(spaced) + math.ceil(wide / 2)


@dataclass(frozen=True)
class _Text:
    words: int
    link_words: int
    links: int


def _own_text(blocks: tuple[Block, ...]) -> _Text:
    words = link_words = links = 0
    for block in blocks:
        words += count_words(block.text)
        if block.kind == "code":
            continue
        links += len(block.links)
        link_words += sum(count_words(t) for t in _LINK_TEXT.findall(block.source))
        link_words += len(_AUTOLINK.findall(block.source))
    return _Text(words, min(link_words, words), links)


def classify_sections(
    root: Section,
    *,
    rules: RoleRules | None = None,
    context: DocumentContext | None = None,
    words: SectionWords | None = None,
) -> dict[int, SectionKind]:
    """The kind of every section of a document, by section position.

    Args:
        root: The document's root section.
        rules: The thresholds; the defaults when None.
        context: What the corpus says about the document; nothing when None.
        words: The heading word list; the package's when None.

    Returns:
        Each section's position mapped to its kind.
    """
    classifier = _Classifier(rules or RoleRules(), context or DocumentContext(), words)
    classifier.visit(root, None, is_root=True)
    return classifier.kinds


class _Classifier:
    def __init__(self, rules: RoleRules, context: DocumentContext, words: SectionWords | None):
        self.rules = rules
        self.context = context
        self.words = words or section_words()
        self.kinds: dict[int, SectionKind] = {}

    def visit(self, section: Section, imposed: SectionKind | None, *, is_root: bool) -> int:
        """Classify ``section`` and those below it; the words it gives its parent if folded.

        Headings nest at most six deep, so the recursion is shallow.
        """
        if is_root and self.context.role is not None:
            imposed = self.context.role
        heading = self.words.classify(section.title)
        if imposed is None and heading in ("front_matter", "back_matter"):
            imposed = heading
        if imposed is None and heading == "recap" and not is_root:
            imposed = "recap"
        if imposed is not None:
            words = _own_text(section.blocks).words
            self.kinds[section.position] = imposed
            for child in section.children:
                words += self.visit(child, imposed, is_root=False)
            return words

        text = _own_text(section.blocks)
        content = text.words
        recap_words = 0
        standing = False
        # Whether every part is navigation: a page of link lists under headings.
        navigating = bool(section.children)
        for child in section.children:
            given = self.visit(child, None, is_root=False)
            child_kind = self.kinds[child.position]
            if child_kind == "thin":
                content += given
            elif child_kind == "recap":
                recap_words += given
            elif child_kind in ("teachable", "chapter"):
                standing = True
            navigating = navigating and child_kind == "navigation"

        kind: SectionKind
        if (
            heading == "navigation"
            or (navigating and text.words == 0)
            or (
                text.links >= self.rules.navigation_min_links
                and text.link_words >= self.rules.navigation_link_share * max(text.words, 1)
            )
        ):
            kind = "navigation"
        elif is_root and self.context.has_parts:
            # A chapter's opening file previews its sub-chapters more than it teaches.
            kind = "chapter" if content < self.rules.chapter_words else "teachable"
        elif standing:
            kind = "chapter" if content < self.rules.thin_words else "teachable"
        elif not is_root and content < self.rules.thin_words:
            kind = "thin"
        elif is_root and content + recap_words == 0:
            kind = "chapter"  # a title and nothing else: nothing to teach
        else:
            kind = "teachable"
        self.kinds[section.position] = kind
        return content + recap_words if kind in FOLDED else 0


def concept_role(kind: SectionKind) -> ConceptRole:
    """The role of the concept a section of this kind becomes (folded kinds: none)."""
    if kind in FOLDED:
        raise ValueError(f"a {kind} section joins its parent and is no concept")
    return cast(ConceptRole, kind)
