"""Prompt templates, kept as files in ``prompts/`` with their declared variables.

A template is Markdown with front matter listing its ``variables``; its body uses
``{name}`` placeholders. Rendering fails loudly when a variable is missing or undeclared,
so a typo in a prompt never reaches the model as literal braces.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


class PromptError(ValueError):
    """A prompt file is malformed, or was rendered with the wrong variables."""


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt file."""

    name: str
    variables: frozenset[str]
    body: str

    def render(self, **values: str) -> str:
        """Fill the placeholders; every declared variable must be given, and only those."""
        given = set(values)
        if missing := self.variables - given:
            raise PromptError(f"prompt {self.name!r} needs {sorted(missing)}")
        if extra := given - self.variables:
            raise PromptError(f"prompt {self.name!r} does not declare {sorted(extra)}")
        return self.body.format(**values)


@cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """Read ``prompts/<name>.md`` and check its placeholders against its declaration."""
    path = directory / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt named {name!r} in {directory}") from None
    _, sep, rest = text.partition("---\n")
    header, sep2, body = rest.partition("\n---\n")
    if not text.startswith("---\n") or not sep or not sep2:
        raise PromptError(f"prompt {path.name} must start with a '---' front matter block")
    meta = yaml.safe_load(header) or {}
    declared = frozenset(meta.get("variables") or [])
    used = {field for _, field, _, _ in string.Formatter().parse(body) if field}
    if used != declared:
        raise PromptError(f"prompt {path.name} uses {sorted(used)} but declares {sorted(declared)}")
    return PromptTemplate(name=name, variables=declared, body=body.strip())
