"""Which pg_hba.conf lets a login in without a check, and what replaces it."""

from __future__ import annotations

import pytest

from tutor.db.embedded_auth import HBA_CONF, alter_password_sql, trusts_anyone


@pytest.mark.parametrize(
    "hba",
    [
        "local all all trust\n",
        "# comment\nlocal all all scram-sha-256\nhost all all 127.0.0.1/32 trust\n",
        "host   replication  all  ::1/128  trust  # left by initdb\n",
    ],
)
def test_trust_anywhere_is_found(hba: str) -> None:
    assert trusts_anyone(hba)


@pytest.mark.parametrize(
    "hba",
    [
        HBA_CONF,
        "# local all all trust\nlocal all all scram-sha-256\n",
        "local all trust scram-sha-256\n",  # a role named trust is not the method
        "local all all peer\nhost all all 127.0.0.1/32 md5\n",
    ],
)
def test_checked_logins_are_not_trust(hba: str) -> None:
    assert not trusts_anyone(hba)


def test_password_statement_quotes_the_password() -> None:
    sql = alter_password_sql("it's")
    assert "PASSWORD 'it''s'" in sql
    assert sql.startswith("SET log_statement = 'none';")
