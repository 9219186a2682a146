"""Refusals of account changes.

The whole tree, drawn once::

    AccountError        a sign-up or account change that cannot be made
    └── PasswordError   the password is too short, too long, or easy to guess
"""

from __future__ import annotations

from tutor.errors import TutorError


class AccountError(TutorError):
    """A sign-up or account change that cannot be made; the message says why."""


class PasswordError(AccountError):
    """A password that is refused; the message says why."""
