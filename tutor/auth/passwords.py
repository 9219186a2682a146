"""What a password must be: long enough, and not one that guessers try early.

Length is counted without spaces, so eight spaces or ``"a b c d e"`` do not pass for long.
Guessability is zxcvbn's estimate: it knows the common-password lists, dictionary words,
names, keyboard walks, repeats and sequences, and says which of them a password is. A
password it rates below "somewhat guessable" (score 2, about a million guesses) is refused
with its reason, as NIST SP 800-63B asks of a list of breached and common passwords.
"""

from __future__ import annotations

from tutor.auth.errors import PasswordError

MIN_PASSWORD_CHARS = 10
"""Fewest characters a password has, spaces not counted."""
MAX_PASSWORD_CHARS = 1024
"""Most characters a password may have (hashing cost grows with it)."""
_MIN_SCORE = 2
"""zxcvbn's score from which a password is accepted (0 to 4)."""
_SCORED_CHARS = 72
"""zxcvbn rates at most this many characters; a longer password is rated on its start."""


def check_password(password: str, *, name: str = "") -> None:
    """Refuse a password that is short, absurdly long, or easy to guess, saying why.

    Args:
        password: The password as typed.
        name: The learner's name: a password made of it is easy to guess.

    Raises:
        PasswordError: The password is refused; the message names the reason.
    """
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordError(f"the password must be at most {MAX_PASSWORD_CHARS} characters long")
    counted = sum(1 for char in password if not char.isspace())
    if counted < MIN_PASSWORD_CHARS:
        raise PasswordError(
            f"the password must have at least {MIN_PASSWORD_CHARS} characters besides spaces"
            f" (it has {counted})"
        )
    # Imported here: its word lists take a moment to load, and only sign-up needs them.
    from zxcvbn import zxcvbn

    rating = zxcvbn(password[:_SCORED_CHARS], user_inputs=[name] if name else None)
    if rating["score"] < _MIN_SCORE:
        feedback = rating["feedback"]
        reason = feedback["warning"] or " ".join(feedback["suggestions"])
        reason = reason.rstrip(".") or "it is a common pattern"
        raise PasswordError(f"the password is too easy to guess: {reason[0].lower()}{reason[1:]}")
