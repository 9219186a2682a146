r"""Markdown as a learner reads it, without the markup that only means something on a page.

Notes written for a site or book generator carry markup that a passage quoted on its own
shows as noise: HTML comments (``<!-- ignore -->``), mdBook directives
(``{{#include ...}}``) and other template tags (Liquid's ``{% ... %}``, Hugo's
``{{< ... >}}``), reference links whose definition lies elsewhere (``[text][ref]``,
``[text]``) and the definitions themselves (``[ref]: url``), wiki links (``[[page|text]]``),
anchors (``<a id="..."></a>``), layout tags (``<span class="filename">``, ``<div>``,
mdBook's ``<Listing ...>``), embedded media (``<iframe>``), attribute lists (``{: .cls}``),
admonition fences (``:::note``), custom heading ids (``{#id}``) and rustdoc's hidden lines
(``# `` inside a Rust block). An HTML table becomes a Markdown table.

:func:`clean_markdown` removes all of it but hidden lines, and reads every link as its
text; it runs when chunks are cut, so every reader of a chunk (lessons, exercises,
citations, chat, the model, retrieval) gets clean text. Code is left as written: a fence
keeps its info string (its attributes say whether the code fails, see
:mod:`tutor.ingest.code_marks`) and its hidden lines (part of the program, needed to run
it). :func:`learner_markdown` is the view shown to the learner: clean, with hidden lines
dropped and each fence's info string cut to its language. :func:`markup_leaks` finds
what should not be there.

Code (fenced blocks and inline code spans) is masked before any rule applies, so
``a[1]``, ``Vec<T>`` or ``<!--`` inside code stay as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection

from tutor.ingest._html_table import html_table_markdown
from tutor.ingest.code_marks import Failure, code_marks

__all__ = [
    "clean_markdown",
    "defined_labels",
    "fence_failures",
    "fenced_blocks",
    "learner_markdown",
    "markup_leaks",
    "mask_code",
    "normalize_label",
    "shown_code",
]

_FENCE_OPEN = re.compile(r"^[ \t]*(?:>[ \t]?)*[ ]{0,3}(`{3,}|~{3,})(.*)$")
_FENCE_LINE = re.compile(r"^([ \t]*(?:>[ \t]?)*[ ]{0,3})(`{3,}|~{3,})([^\n]*)$")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)

# Each rule scans left to right and every match ends before the next can start, which
# keeps the scans linear however hostile the input.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_DIRECTIVE = re.compile(r"\{\{#[^{}\n]*\}\}")
_TEMPLATE_TAG = re.compile(
    r"\{%.*?(?:%\}|\Z)|\{\{[<%].*?(?:[>%]\}\}|\Z)|\{\{[^{}\n]*\}\}", re.DOTALL
)
_EMBEDDED = re.compile(
    r"<(script|style|iframe|video|audio|object|embed|noscript|template|svg|canvas)\b"
    r".*?(?:</\1\s*>|\Z)",
    re.DOTALL | re.IGNORECASE,
)
_HTML_TABLE = re.compile(r"<table\b.*?(?:</table\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_WIKI_EMBED = re.compile(r"!\[\[[^\[\]\n]*\]\]")
_WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")
_ATTRIBUTE_LIST = re.compile(r"[ \t]*\{:[^{}\n]*\}")
_ADMONITION = re.compile(r"^([ \t]*(?:>[ \t]?)*):{3,}[ \t]*\{?[\w-]*\}?[ \t]*", re.MULTILINE)
_HEADING_ID = re.compile(
    r"^([ \t]*(?:>[ \t]?)*[ ]{0,3}#{1,6}[ \t].*?)[ \t]*\{#[\w:.-]+[^{}\n]*\}[ \t]*$", re.M
)
_DEFINITION = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ ]{0,3}\[((?:[^\[\]\n\\]|\\.)+)\]:[ \t]*(?:\n[ \t]*)?\S[^\n]*"
    r"(?:\n[ \t]*(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\))[ \t]*(?=\n|\Z))?(?:\n|\Z)",
    re.MULTILINE,
)
_LABEL = r"\[((?:[^\[\]\n\\]|\\.|\n(?![ \t]*\n))*)\]"
_LINK_TEXT = r"((?:[^\[\]\n\\]|\\.|\n(?![ \t]*\n)|\[(?:[^\[\]\n\\]|\\.)*\])*)"
_INLINE_LINK = re.compile(rf"(!?)\[{_LINK_TEXT}\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+[^()]*)?\)")
_REFERENCE_LINK = re.compile(rf"(!?)\[{_LINK_TEXT}\]{_LABEL}")
_SHORTCUT_LINK = re.compile(rf"(!?)(?<![\]\\])\[{_LINK_TEXT}\](?![\[(:])")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]*)>", re.IGNORECASE)
_TAG_NAMES = (
    "a|abbr|address|area|article|aside|b|base|bdi|bdo|big|blockquote|body|br|button|caption"
    "|center|cite|code|col|colgroup|data|dd|del|details|dfn|dialog|div|dl|dt|em|fieldset"
    "|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|img|input|ins|kbd|label"
    "|legend|li|link|listing|main|map|mark|meta|meter|nav|ol|optgroup|option|output|p|param"
    "|picture|pre|progress|q|rp|rt|ruby|s|samp|section|select|small|source|span|strike"
    "|strong|sub|summary|sup|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|track|tt|u"
    "|ul|var|wbr"
)
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?=[\s/>])[^<>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_CITATION_LIKE = re.compile(r"\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*")
_BLANK_RUNS = re.compile(r"\n(?:[ \t]*(?:>[ \t]*)*\n){2,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_RUST_HIDDEN = re.compile(r"^[ \t]*#(?:[ \t]|$)")
_RUST_ESCAPED_HASH = re.compile(r"^([ \t]*)##")
_RUST = frozenset({"rust", "rs"})
# NUL never occurs in notes (they are refused), so no rule can match masked code.
_MASK = "\x00"
_Replace = Callable[[re.Match[str], str], str]
_QUOTE_MARKER = re.compile(r"[ \t]*(?:>[ \t]?)+")
# TeX math is left as written, like code: "\frac{{a}}{b}" is no template tag. Inline math
# follows Pandoc's rule (no space inside the dollars, no digit right after), so that
# "$5 and $10" stays prose.
_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]*?(?<=[^\s\\])\$(?!\d)", re.DOTALL)

_LEAKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("HTML comment", re.compile(r"<!--")),
    ("mdBook directive", re.compile(r"\{\{#")),
    ("template tag", re.compile(r"\{%|\{\{")),
    ("wiki link", re.compile(r"\[\[[^\[\]\n]+\]\]")),
    ("attribute list", re.compile(r"\{:[^{}\n]*\}")),
    ("admonition fence", re.compile(r"^[ \t]*(?:>[ \t]?)*:{3,}", re.MULTILINE)),
    ("embedded media", _EMBEDDED),
    ("reference link", re.compile(rf"\]{_LABEL}")),
    ("link definition", re.compile(r"^[ \t]*(?:>[ \t]?)*[ ]{0,3}\[[^\[\]\n]+\]:[ \t]*\S", re.M)),
    ("HTML tag", _TAG),
    ("heading id", re.compile(r"\{#[\w:.-]+[^{}\n]*\}")),
    ("inline link", re.compile(r"\]\([^()\s]*(?:\s[^()]*)?\)")),
)


def fenced_blocks(text: str) -> list[tuple[int, int, bool]]:
    """Find fenced code blocks (also inside block quotes).

    Args:
        text: Markdown source.

    Returns:
        ``(start, end, closed)`` for each block, in order; a block left open runs to the
        end of the text with ``closed`` False.
    """
    blocks: list[tuple[int, int, bool]] = []
    position = 0
    opened: tuple[int, str] | None = None
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if opened is None:
            match = _FENCE_OPEN.match(body)
            # A backtick fence's info string may not hold a backtick (that is inline code).
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                opened = (position, match.group(1))
        else:
            start, fence = opened
            match = _FENCE_OPEN.match(body)
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not match.group(2).strip()
            ):
                blocks.append((start, position + len(body), True))
                opened = None
        position += len(line)
    if opened is not None:
        blocks.append((opened[0], len(text), False))
    return blocks


def mask_code(text: str, fill: str = " ") -> str:
    """Blank out fenced code and inline code, keeping every other character in place.

    Args:
        text: Markdown source.
        fill: The character code is replaced with.

    Returns:
        The text with code replaced by ``fill`` (newlines kept), the same length as
        ``text``, so offsets found in it apply to ``text``.
    """
    chars = list(text)
    for start, end, _closed in fenced_blocks(text):
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = fill
    masked = "".join(chars)
    return _INLINE_CODE.sub(lambda m: re.sub(r"[^\n]", fill, m.group(0)), masked)


def normalize_label(label: str) -> str:
    """A link label as CommonMark matches it: case-folded, inner whitespace collapsed.

    Args:
        label: The label, without brackets.

    Returns:
        The normalised label.
    """
    return " ".join(label.split()).casefold()


def defined_labels(text: str) -> frozenset[str]:
    """The link labels a Markdown text defines (``[label]: url``), normalised.

    Args:
        text: Markdown source, usually a whole file.

    Returns:
        The labels, as :func:`normalize_label` gives them.
    """
    return frozenset(normalize_label(m.group(1)) for m in _DEFINITION.finditer(mask_code(text)))


def clean_markdown(text: str, *, references: Collection[str] | None = None) -> str:
    """Remove page markup from Markdown prose; links read as their text; code stays.

    Args:
        text: Markdown source (a chunk, a passage, a whole file).
        references: Normalised labels (:func:`normalize_label`) the whole file defines:
            a bracketed ``[text]`` naming one is a link and reads as ``text``. When None,
            the definitions found in ``text`` itself are used.

    Returns:
        The cleaned Markdown. Fenced code keeps its info string and every line but those
        that are only an mdBook directive.
    """
    text = _clean_fences(text)
    masked = _masked(text)
    found = frozenset(normalize_label(m.group(1)) for m in _DEFINITION.finditer(masked))
    labels = found if references is None else found | frozenset(references)
    rules: tuple[tuple[re.Pattern[str], _Replace], ...] = (
        (_COMMENT, lambda _m, _o: ""),
        (_EMBEDDED, lambda _m, _o: ""),
        (_TEMPLATE_TAG, lambda _m, _o: ""),
        (_HTML_TABLE, lambda m, o: f"\n\n{html_table_markdown(o[m.start() : m.end()])}\n\n"),
        (_WIKI_EMBED, lambda _m, _o: ""),
        (_WIKI_LINK, lambda m, _o: (m.group(2) or m.group(1).split("#")[0]).strip()),
        (_ATTRIBUTE_LIST, lambda _m, _o: ""),
        (_ADMONITION, lambda m, _o: m.group(1)),
        (_DEFINITION, lambda _m, _o: ""),
        (_TAG, _tag_text),
        (_AUTOLINK, lambda m, _o: m.group(1)),
        (_INLINE_LINK, _link_text),
        (_REFERENCE_LINK, _link_text),
        (_SHORTCUT_LINK, lambda m, o: _shortcut(m, o, labels)),
        (_HEADING_ID, lambda m, o: o[m.start(1) : m.end(1)]),
        (_TRAILING_SPACE, lambda _m, _o: ""),
    )
    for pattern, replace in rules:
        text, masked = _apply(text, masked, pattern, replace)
    return _outside_fences(text, lambda prose: _BLANK_RUNS.sub("\n\n", prose)).strip("\n")


def learner_markdown(text: str, *, references: Collection[str] | None = None) -> str:
    """The Markdown a learner is shown: clean, with hidden lines and fence attributes gone.

    Args:
        text: Markdown source, clean or not (cleaning twice changes nothing).
        references: As for :func:`clean_markdown`.

    Returns:
        The text to show.
    """
    text = clean_markdown(text, references=references)
    pieces: list[str] = []
    position = 0
    for start, end, closed in fenced_blocks(text):
        pieces.append(text[position:start])
        pieces.append(_shown_fence(text[start:end], closed))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def shown_code(code: str, language: str) -> str:
    """The lines of a code block a reader sees: rustdoc's hidden lines left out.

    Args:
        code: The code, without its fences.
        language: Its language.

    Returns:
        The code as shown (``##`` at a line's start reads ``#``).
    """
    if language.casefold() not in _RUST:
        return code
    lines = [line for line in code.split("\n") if not _RUST_HIDDEN.match(line)]
    return "\n".join(_RUST_ESCAPED_HASH.sub(r"\1#", line) for line in lines)


def fence_failures(text: str) -> list[Failure]:
    """How each fenced block the text holds fails, for those its fence marks as failing.

    Args:
        text: Markdown source (as stored: fences keep their attributes).

    Returns:
        One entry per failing block, in order.
    """
    found: list[Failure] = []
    for start, end, _closed in fenced_blocks(text):
        match = _FENCE_LINE.match(text[start:end].split("\n", 1)[0])
        failure = code_marks(match.group(3)).failure if match else None
        if failure is not None:
            found.append(failure)
    return found


def markup_leaks(text: str, *, references: Collection[str] = ()) -> list[str]:
    """Page markup left in learner text, each as "what: excerpt".

    Args:
        text: Markdown shown to a learner.
        references: Normalised link labels its file defines: ``[label]`` is a leak too.

    Returns:
        One entry per leak found, in order of kind; empty when the text is clean.
    """
    masked = _masked(text)
    leaks = [
        f"{what}: {text[m.start() : m.end() + 20].strip()[:60]!r}"
        for what, pattern in _LEAKS
        for m in pattern.finditer(masked)
    ]
    leaks += [
        f"shortcut link: {m.group(0)[:60]!r}"
        for m in _SHORTCUT_LINK.finditer(masked)
        if normalize_label(m.group(2)) in references
    ]
    for start, end, _closed in fenced_blocks(text):
        first, _, body = text[start:end].partition("\n")
        match = _FENCE_LINE.match(first)
        if match is None or code_marks(match.group(3)).language not in _RUST:
            continue
        leaks += [
            f"hidden line: {line.strip()[:60]!r}"
            for line in _fence_body(body).split("\n")
            if _RUST_HIDDEN.match(_unquoted(line))
        ]
    return leaks


def _apply(text: str, masked: str, pattern: re.Pattern[str], replace: _Replace) -> tuple[str, str]:
    """Replace matches of ``pattern`` found outside code, building each from the original.

    Returns:
        The new text and its mask (code is masked again only when something changed).
    """
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(masked):
        pieces.append(text[position : match.start()])
        pieces.append(replace(match, text))
        position = match.end()
    if not pieces:
        return text, masked
    pieces.append(text[position:])
    changed = "".join(pieces)
    return changed, _masked(changed)


def _masked(text: str) -> str:
    """``text`` with code and TeX math masked out (see :func:`mask_code`)."""
    masked = mask_code(text, _MASK)
    return _MATH.sub(lambda m: re.sub(r"[^\n]", _MASK, m.group(0)), masked)


def _outside_fences(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to each stretch between fenced blocks."""
    pieces: list[str] = []
    position = 0
    for start, end, _closed in fenced_blocks(text):
        pieces.append(change(text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(change(text[position:]))
    return "".join(pieces)


def _clean_fences(text: str) -> str:
    """Drop fence lines that are only an mdBook directive; a fence left empty goes too."""
    pieces: list[str] = []
    position = 0
    for start, end, closed in fenced_blocks(text):
        pieces.append(text[position:start])
        fenced = text[start:end]
        first, newline, rest = fenced.partition("\n")
        lines = rest.split("\n")
        kept = [line for line in lines if not _only_directive(line)]
        if len(kept) != len(lines):
            body = kept[:-1] if closed else kept
            if not "\n".join(_unquoted(line) for line in body).strip():
                fenced = ""
            else:
                fenced = first + newline + "\n".join(kept)
        pieces.append(fenced)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _only_directive(line: str) -> bool:
    body = _unquoted(line).strip()
    return bool(body) and not _DIRECTIVE.sub("", body).strip()


def _unquoted(line: str) -> str:
    return re.sub(r"^[ \t]*(?:>[ \t]?)+", "", line)


def _fence_body(body: str) -> str:
    """A fenced block's lines after the opening fence, without the closing fence."""
    lines = body.split("\n")
    closing = _FENCE_OPEN.match(lines[-1]) if lines else None
    if closing is not None and not closing.group(2).strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _shown_fence(fenced: str, closed: bool) -> str:
    first, newline, rest = fenced.partition("\n")
    match = _FENCE_LINE.match(first)
    if match is None:
        return fenced
    prefix, fence, info = match.groups()
    language = code_marks(info).language
    lines = rest.split("\n") if newline else []
    closing = lines.pop() if closed and lines else None
    # Inside a block quote each line carries the quote marker: hide lines by their code.
    marker = _QUOTE_MARKER.match(prefix)
    quote = marker.group(0) if marker else ""
    body = "\n".join(line[len(quote) :] if line.startswith(quote) else line for line in lines)
    body = shown_code(body, language)
    shown = [f"{prefix}{fence}{language}"]
    if lines:
        shown.extend(quote + line if quote else line for line in body.split("\n"))
    if closing is not None:
        shown.append(closing)
    return "\n".join(shown)


def _tag_text(match: re.Match[str], original: str) -> str:
    tag = original[match.start() : match.end()]
    name = re.match(r"</?([A-Za-z][\w-]*)", tag)
    kind = name.group(1).lower() if name else ""
    if tag.startswith("</"):
        return ""
    attributes = {
        m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _ATTRIBUTE.finditer(tag)
    }
    if kind == "img":
        return attributes.get("alt", "")
    if kind == "br":
        return " "
    if kind == "listing":
        # mdBook's listing wrapper: its number and caption are what a reader sees.
        number = attributes.get("number", "")
        caption = attributes.get("caption", "")
        label = f"Listing {number}" if number else ""
        line = ": ".join(part for part in (label, caption) if part)
        file_name = attributes.get("file-name", "")
        if file_name:
            line = f"{line} ({file_name})" if line else f"Filename: {file_name}"
        return f"*{line}*" if line else ""
    return ""


def _link_text(match: re.Match[str], original: str) -> str:
    return original[match.start(2) : match.end(2)]


def _shortcut(match: re.Match[str], original: str, labels: Collection[str]) -> str:
    inner = original[match.start(2) : match.end(2)]
    if _CITATION_LIKE.fullmatch(inner) or normalize_label(inner) not in labels:
        return original[match.start() : match.end()]
    # A footnote's mark ([^note]) has no text of its own; its definition is gone too.
    return "" if inner.startswith("^") else inner
