"""YAML front matter: a ``---`` line, YAML, then a ``---`` (or ``...``) line."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tutor.ingest.errors import FrontMatterError

_OPEN = "---"
_CLOSE = ("---", "...")
_YAML_KEY = re.compile(r"""^(?:[\w.-]+|"[^"]*"|'[^']*')\s*:(?:\s|$)""")


def split_front_matter(lines: list[str], *, name: str) -> tuple[dict[str, Any], int]:
    """Read the front matter at the top of a file, if there is one.

    A first line of ``---`` with no closing line, or with no ``key:`` as the first line
    between the two, is a thematic break rather than front matter, so such a file is left
    to the Markdown parser whole.

    Args:
        lines: The file's lines, without line endings.
        name: The file's name, for error messages.

    Returns:
        The front matter (empty when there is none) and how many lines it spans.

    Raises:
        FrontMatterError: The YAML is malformed or is not a mapping.
    """
    if not lines or lines[0].rstrip() != _OPEN:
        return {}, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSE:
            body = lines[1:index]
            if not _looks_like_yaml(body):
                # Two thematic breaks around prose: Markdown, not front matter.
                return {}, 0
            return _load("\n".join(body), name=name), index + 1
    return {}, 0


def _looks_like_yaml(body: list[str]) -> bool:
    for line in body:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return _YAML_KEY.match(stripped) is not None
    return True


def _load(source: str, *, name: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise FrontMatterError(name, f"front matter is not valid YAML{where}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise FrontMatterError(name, f"front matter must be a mapping of keys, not a {kind}")
    return {str(key): value for key, value in data.items()}
