"""One file, from bytes to what ingestion stores: checked, parsed and cut into chunks.

Everything here is pure computation with no I/O, so it can run in a worker process
(:mod:`tutor.ingest.parsing`); every refusal is an :class:`IngestError` raised before
anything is written.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tutor.config import IngestSettings
from tutor.ingest._parser import check_text
from tutor.ingest.chunking import ChunkDraft, chunk_document
from tutor.ingest.corpus import TOC_NAME
from tutor.ingest.errors import FrontMatterError
from tutor.ingest.files import SourceFile, UnsupportedFileError, decode, shown_name
from tutor.ingest.limits import check_structure
from tutor.ingest.markdown import ParsedDocument, parse_markdown
from tutor.ingest.summary import parse_summary


@dataclass(frozen=True)
class PreparedFile:
    """A file read and ready to store."""

    path: str
    content_hash: str
    size_bytes: int
    parsed: ParsedDocument | None = None
    """The notes; None for a table of contents."""
    chunks: tuple[ChunkDraft, ...] = ()
    toc: list[dict[str, Any]] = field(default_factory=list)
    """A table of contents' entries, with paths resolved against its folder."""


def check_file(source: SourceFile, settings: IngestSettings) -> str:
    """The text of ``source`` once the cheap checks pass: type, size, encoding, limits.

    Args:
        source: The file.
        settings: Size and structural limits.

    Returns:
        The decoded text.

    Raises:
        IngestError: A check failed; the message names the file and the problem.
    """
    text = decode(source, max_bytes=settings.max_file_bytes)
    check_text(text, name=source.path)
    check_structure(text, name=source.path, settings=settings)
    return text


def prepare_file(
    source: SourceFile, settings: IngestSettings, count_tokens: Callable[[str], int]
) -> PreparedFile:
    """Check, parse and chunk one file.

    Args:
        source: The file.
        settings: Limits and the chunk size.
        count_tokens: Counts tokens as the embedding model does.

    Returns:
        The prepared file.

    Raises:
        IngestError: The file is refused; the message names it and the problem.
    """
    text = check_file(source, settings)
    content_hash = hashlib.sha256(source.data).hexdigest()
    size = len(source.data)
    if posixpath.basename(source.path) == TOC_NAME:
        base = posixpath.dirname(source.path)
        toc: list[dict[str, Any]] = [
            {
                "path": posixpath.normpath(posixpath.join(base, e.path)),
                "parent_path": (
                    posixpath.normpath(posixpath.join(base, e.parent_path))
                    if e.parent_path
                    else None
                ),
                "title": e.title,
                "placement": e.placement,
            }
            for e in parse_summary(text)
        ]
        for entry in toc:
            # A link such as a%00.md decodes to a NUL: no file is named so, and PostgreSQL
            # refuses to store it.
            if shown_name(entry["path"]) != entry["path"]:
                raise UnsupportedFileError(
                    source.path,
                    f"the entry {entry['title']!r} links {shown_name(entry['path'])}, "
                    "a path with a control character",
                )
        return PreparedFile(source.path, content_hash, size, toc=toc)
    parsed = parse_markdown(text, name=source.path)
    # YAML escapes ("\0") make a NUL the file's bytes never held; PostgreSQL refuses it.
    if "\\u0000" in json.dumps(parsed.front_matter, default=str):
        raise FrontMatterError(source.path, "the front matter holds a NUL character")
    chunks = chunk_document(parsed, max_tokens=settings.chunk_max_tokens, count_tokens=count_tokens)
    return PreparedFile(source.path, content_hash, size, parsed=parsed, chunks=tuple(chunks))
