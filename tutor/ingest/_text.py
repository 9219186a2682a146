"""Small text helpers shared by the parser, the chunker and the concept extractor."""

from __future__ import annotations

import html
import re

_SENTENCE_BREAK = re.compile(
    # End punctuation, any closing quotes, brackets or emphasis markers, then whitespace,
    # then something that opens a sentence: a capital, a digit, or an opening mark (a
    # quote marker may come first when the sentence starts a quoted line).
    r"""[.!?]+[)"'\u2019\u201d\]*_]*(\s+)(?=(?:>[ \t]?)*[\[("'\u201c\u2018`*_]*[A-Z0-9])"""
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|mr|mrs|ms|dr|st|no|fig|approx)|(?<![\w.])[A-Za-z])\.+$",
    re.IGNORECASE,
)
_ABBREVIATION_WINDOW = 12
_WORDLIKE = re.compile(r"[^\W_]+|[^\w\s]|_")
# Unclosed comments and scripts run to the end, and a tag may not hold "<": either way each
# match ends where the next could start, which keeps the scan linear on hostile input.
_HTML_DROP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE
)
_HTML_TAG = re.compile(r"<[^<>]*>")
_HTML_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentences, as (start, end) offsets that cover it in order.

    Offsets rather than strings so that callers can cut Markdown source verbatim.

    Args:
        text: Plain text or Markdown source.

    Returns:
        One span per sentence; trailing whitespace between sentences is left out.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        end = match.start(1)
        # Only the last few characters can make an abbreviation; looking no further keeps
        # a run of rejected breaks ("A. B. C. ...") linear.
        if _ABBREVIATION.search(text, max(start, end - _ABBREVIATION_WINDOW), end):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end(1)
    end = len(text.rstrip())
    if start < end:
        spans.append((start, end))
    return spans


def sentences(text: str) -> list[str]:
    """Split plain text into sentences.

    Args:
        text: Plain text.

    Returns:
        The sentences, stripped, in order.
    """
    return [text[start:end].strip() for start, end in sentence_spans(text)]


def estimate_tokens(text: str) -> int:
    """Approximate how many WordPiece tokens an English-vocabulary BERT model sees.

    Common words are one piece; long or rare words, numbers, identifiers and non-ASCII
    words split into several; each punctuation mark is a piece of its own. Checked
    against all-MiniLM-L6-v2's tokenizer on technical prose, where it comes within a few
    percent overall.

    Args:
        text: Any text.

    Returns:
        The estimated token count.
    """
    count = 0
    for match in _WORDLIKE.finditer(text):
        word = match.group()
        size = len(word)
        if size == 1 or not word[0].isalnum():
            count += 1
        elif word.isascii() and word.isalpha():
            count += 1 + (size - 1) // 7 if size > 7 else 1
        else:
            # Digits, mixed identifiers and non-ASCII words split into short pieces.
            count += max(1, (size + 1) // 2)
    return count


def slugify(title: str) -> str:
    """Turn a heading's plain text into an mdBook/GitHub-style anchor.

    Letters, digits, ``_`` and ``-`` are kept (lower-cased), each whitespace character
    becomes ``-``, everything else is dropped: "Hello, World!" gives "hello-world".

    Args:
        title: The heading's plain text.

    Returns:
        The anchor, without a leading ``#``; may be empty.
    """
    out: list[str] = []
    for char in title.strip():
        if char.isalnum() or char in "_-":
            out.append(char.lower())
        elif char.isspace():
            out.append("-")
    return "".join(out)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags, comments and scripts dropped, entities decoded.

    Args:
        markup: HTML source.

    Returns:
        The text, with whitespace collapsed.
    """
    text = _HTML_TAG.sub(" ", _HTML_DROP.sub(" ", markup))
    return collapse_spaces(html.unescape(text))


def html_hrefs(markup: str) -> list[str]:
    """The ``href`` values in an HTML fragment, in order.

    Args:
        markup: HTML source.

    Returns:
        The decoded href values.
    """
    return [
        html.unescape(next(g for g in m.groups() if g is not None))
        for m in _HTML_HREF.finditer(markup)
    ]


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends.

    Args:
        text: Any text.

    Returns:
        The text on one line.
    """
    return _SPACES.sub(" ", text).strip()
