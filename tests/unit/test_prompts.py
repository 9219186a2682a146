"""Prompt files fail loudly on a missing, extra or undeclared variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.prompts import PROMPTS_DIR, PromptError, load_prompt


def _prompt(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.md").write_text(text)


def test_every_project_prompt_renders_with_its_variables() -> None:
    names = sorted(path.stem for path in PROMPTS_DIR.glob("*.md"))
    assert {"chat_answer", "exercises", "intent", "lesson"} <= set(names)
    for name in names:
        template = load_prompt(name)
        values = {variable: f"<{variable}-value>" for variable in template.variables}
        rendered = template.render(**values)
        for value in values.values():
            assert value in rendered
        assert "{" not in rendered.replace("{{", "")


def test_render_fills_declared_variables(tmp_path: Path) -> None:
    _prompt(tmp_path, "ask", "---\nvariables: [concept]\n---\nExplain {concept}.\n")
    assert load_prompt("ask", tmp_path).render(concept="ownership") == "Explain ownership."


def test_missing_and_extra_variables_are_refused(tmp_path: Path) -> None:
    _prompt(tmp_path, "ask", "---\nvariables: [concept]\n---\nExplain {concept}.\n")
    template = load_prompt("ask", tmp_path)
    with pytest.raises(PromptError, match=r"needs \['concept'\]"):
        template.render()
    with pytest.raises(PromptError, match=r"does not declare \['level'\]"):
        template.render(concept="x", level="intro")


def test_undeclared_placeholder_is_refused(tmp_path: Path) -> None:
    _prompt(tmp_path, "typo", "---\nvariables: [concept]\n---\nExplain {concpet}.\n")
    with pytest.raises(PromptError, match="uses"):
        load_prompt("typo", tmp_path)


def test_missing_front_matter_and_file(tmp_path: Path) -> None:
    _prompt(tmp_path, "bare", "Explain things.\n")
    with pytest.raises(PromptError, match="front matter"):
        load_prompt("bare", tmp_path)
    with pytest.raises(PromptError, match="no prompt named 'absent'"):
        load_prompt("absent", tmp_path)
