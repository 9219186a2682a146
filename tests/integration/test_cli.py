"""The `tutor` command line, against the real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.config import get_settings

pytestmark = pytest.mark.integration


def test_db_upgrade_applies_then_reports_up_to_date(env: dict[str, str]) -> None:
    first = CliRunner().invoke(main, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "applied 0001_users" in first.output
    get_settings.cache_clear()
    second = CliRunner().invoke(main, ["db", "upgrade"])
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "database is up to date"


def test_doctor_lists_every_component_and_where_it_runs(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in ("chat_model", "database", "embeddings", "graph", "vectors"):
        assert any(line.startswith("ok") and f" {name} " in line for line in lines), name
    assert "fake chat model" in result.output
    assert "tables in" in result.output and "PostgreSQL" in result.output


def test_doctor_fails_when_a_component_is_down(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Chroma server that is not there: the doctor names it and exits non-zero.
    monkeypatch.setenv("TUTOR_CHROMA_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1, result.output
    assert any(
        line.startswith("DOWN") and " vectors " in line for line in result.output.splitlines()
    ), result.output


def test_models_prepare_is_a_no_op_for_a_served_model(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["models", "prepare"])
    assert result.exit_code == 0, result.output
    assert "nothing to prepare" in result.output


def test_ingest_a_folder_reports_progress_and_a_summary(
    env: dict[str, str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    (notes / "part").mkdir(parents=True)
    (notes / "a.md").write_text("# Alpha\n\nThe first idea, told in one sentence.\n")
    (notes / "part" / "b.markdown").write_text("# Beta\n\nThe second idea builds on Alpha.\n")
    (notes / "picture.png").write_bytes(b"\x89PNG")  # not notes: skipped in a folder
    first = CliRunner().invoke(main, ["ingest", str(notes)])
    assert first.exit_code == 0, first.output
    assert "2 files (2 ingested, 0 unchanged, 0 failed)" in first.output
    assert "concepts" in first.output and "edges" in first.output

    get_settings.cache_clear()
    (notes / "empty.md").write_text("")
    again = CliRunner().invoke(main, ["ingest", str(notes)])
    assert again.exit_code == 1, again.output
    assert "3 files (0 ingested, 2 unchanged, 1 failed)" in again.output
    assert "failed: empty.md: the file is empty" in again.output


def test_reindex_rewrites_every_vector(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Alpha\n\nOne idea.\n\n## Detail\n\nAnother idea.\n")
    assert CliRunner().invoke(main, ["ingest", str(tmp_path / "a.md")]).exit_code == 0
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("reindexed ")
    assert int(result.output.split()[1]) >= 1


def test_users_and_tokens(env: dict[str, str]) -> None:
    password = "correct horse battery\ncorrect horse battery\n"
    added = CliRunner().invoke(main, ["users", "add", "ada"], input=password)
    assert added.exit_code == 0, added.output
    assert "created learner 'ada'" in added.output
    get_settings.cache_clear()
    again = CliRunner().invoke(main, ["users", "add", "ada"], input=password)
    assert again.exit_code == 1 and "taken" in again.output
    get_settings.cache_clear()
    changed = CliRunner().invoke(
        main, ["users", "set-password", "ada"], input="another secret!\nanother secret!\n"
    )
    assert changed.exit_code == 0 and "password of 'ada' changed" in changed.output
    get_settings.cache_clear()
    token = CliRunner().invoke(main, ["token", "ada", "--label", "bot"])
    assert token.exit_code == 0 and token.output.strip().startswith("tt_")
    get_settings.cache_clear()
    nobody = CliRunner().invoke(main, ["token", "nobody"])
    assert nobody.exit_code == 2 and "no learner named 'nobody'" in nobody.output
