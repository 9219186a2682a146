"""Files as they arrive: names made safe, size and encoding checked, text decoded.

Every refusal is an :class:`~tutor.ingest.errors.IngestError` naming the file and the
problem, raised before anything is stored.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tutor.ingest.errors import BinaryContentError, IngestError

ACCEPTED_SUFFIXES = (".md", ".markdown", ".txt")


class UnsupportedFileError(IngestError):
    """The file's name or type is not one the tutor reads."""


class FileTooLargeError(IngestError):
    """The file is over the size limit."""


class InvalidEncodingError(IngestError):
    """The file is not valid UTF-8 text."""


@dataclass(frozen=True)
class SourceFile:
    """One file to ingest: its path relative to what was uploaded, and its bytes."""

    path: str
    data: bytes


def shown_name(name: str) -> str:
    """``name`` fit to show and store: control characters and lone surrogates escaped."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cs")
        else ch
        for ch in name
    )


def clean_path(name: str) -> str:
    """A relative POSIX path for ``name``.

    Absolute parts, ``..``, and control characters (a NUL, a line break: nothing a file
    name holds, and PostgreSQL refuses a NUL) are refused.
    """
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise UnsupportedFileError(
            shown_name(name), "the file name holds a control or invalid character (such as NUL)"
        )
    parts = PurePosixPath(name.replace("\\", "/")).parts
    kept = [part for part in parts if part not in ("", ".", "/")]
    if not kept or any(part == ".." for part in kept):
        raise UnsupportedFileError(name or "(no name)", "the file name is not a relative path")
    path = "/".join(kept)
    if len(path) > 1000:
        raise UnsupportedFileError(path[:80] + "...", "the file name is over 1,000 characters")
    return path


def decode(source: SourceFile, *, max_bytes: int) -> str:
    """The text of ``source``, checked: accepted suffix, size, not binary, UTF-8."""
    if not source.path.lower().endswith(ACCEPTED_SUFFIXES):
        raise UnsupportedFileError(
            source.path, f"only {', '.join(ACCEPTED_SUFFIXES)} files are read"
        )
    if len(source.data) > max_bytes:
        raise FileTooLargeError(
            source.path,
            f"{len(source.data):,} bytes is over the limit of {max_bytes:,} bytes",
        )
    if b"\x00" in source.data:
        raise BinaryContentError(source.path, "this is a binary file, not Markdown text")
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidEncodingError(
            source.path, f"not valid UTF-8 (byte {error.start:,} cannot be decoded)"
        ) from None


def find_files(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Each file under ``paths`` (files, or folders searched recursively) with its name.

    A folder's files are named relative to the folder, so ``book/src/ch01.md`` found under
    ``book/src`` is ``ch01.md``, as an mdBook SUMMARY.md links it. In folders, hidden
    entries and files of other types (images, sources) are skipped; a file named
    explicitly is always yielded, so a wrong type is reported rather than ignored.
    """
    for root in paths:
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or not name.lower().endswith(ACCEPTED_SUFFIXES):
                        continue
                    path = Path(folder) / name
                    yield path, path.relative_to(root).as_posix()
        else:
            yield root, root.name
