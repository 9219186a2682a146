"""Migration files are validated before anything touches a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.db.migrations import MIGRATIONS_DIR, load_migrations
from tutor.errors import MigrationError


def test_project_migrations_are_numbered_in_order() -> None:
    versions = [m.version for m in load_migrations(MIGRATIONS_DIR)]
    assert versions == list(range(1, len(versions) + 1))


def test_files_load_in_number_order(tmp_path: Path) -> None:
    (tmp_path / "0010_later.sql").write_text("SELECT 10;")
    (tmp_path / "0002_early.sql").write_text("SELECT 2;")
    (tmp_path / "README.txt").write_text("not a migration")
    assert [m.name for m in load_migrations(tmp_path)] == ["early", "later"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"1_short.sql": "SELECT 1;"}, "not named NNNN_description.sql"),
        ({"0001_Upper.sql": "SELECT 1;"}, "not named NNNN_description.sql"),
        ({"0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 2;"}, "share number 0001"),
        ({"0001_empty.sql": "  \n"}, "is empty"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, sql in files.items():
        (tmp_path / name).write_text(sql)
    with pytest.raises(MigrationError, match=message):
        load_migrations(tmp_path)


def test_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="migrations directory not found"):
        load_migrations(tmp_path / "nowhere")
