"""How often an address or a name may try to sign in or sign up (in this process).

Three counts of failed sign-ins, each in its own window:

- per name and address: a few in a minute, so one guesser at one account is slowed at once;
- per address, whatever the names: so one address cannot try one password on many names;
- per name, whatever the addresses: so many addresses cannot guess one learner's password.

The count per name could let a stranger lock a learner out by failing on purpose. It does
not hold the learner's own browsers: a successful sign-in sets a device cookie, and a
sign-in that brings one for that name is not counted or held by it (the idea of OWASP's
"device cookies"). A stranger can then keep a learner out only of new browsers, and only
for as long as the stranger keeps failing, from addresses that each get their own limit.

Sign-up attempts are counted per address, whatever their outcome, so the "name is taken"
answer cannot be used to list learners quickly.

IPv6 addresses are counted per /64 network, which one host usually holds whole.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable

from tutor.auth.limits import AttemptLimiter
from tutor.auth.secrets import new_token, token_hash
from tutor.config import AuthSettings

DEVICES_PER_NAME = 8
"""Browsers remembered per learner; the oldest is forgotten first."""


def address_key(host: str) -> str:
    """What an address counts as: itself, or its /64 network for IPv6."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class AccountLimits:
    """The sign-in and sign-up limits, and the browsers each learner signed in from."""

    def __init__(self, settings: AuthSettings, clock: Callable[[], float] = time.monotonic):
        """Count in the windows ``settings`` gives, by ``clock``."""
        long_window = settings.signin_long_window_s
        self._pair = AttemptLimiter(settings.signin_attempts, settings.signin_window_s, clock)
        self._address = AttemptLimiter(settings.signin_address_attempts, long_window, clock)
        self._name = AttemptLimiter(settings.signin_name_attempts, long_window, clock)
        self._signup = AttemptLimiter(settings.signups_per_address, settings.signup_window_s, clock)
        self._devices: dict[str, OrderedDict[str, None]] = {}

    def signup_wait(self, host: str) -> float:
        """Count a sign-up attempt from ``host``; the seconds to wait if it is one too many."""
        return self._signup.take(address_key(host))

    def signin_wait(self, name: str, host: str, device: str | None) -> float:
        """Seconds until ``name`` may be tried from ``host`` (with ``device``); 0 for now."""
        address = address_key(host)
        waits = [self._pair.retry_after(f"{name}\n{address}"), self._address.retry_after(address)]
        if not self.knows(name, device):
            waits.append(self._name.retry_after(name))
        return max(waits)

    def signin_failed(self, name: str, host: str, device: str | None) -> None:
        """Count a failed sign-in."""
        address = address_key(host)
        self._pair.failed(f"{name}\n{address}")
        self._address.failed(address)
        if not self.knows(name, device):
            self._name.failed(name)

    def signin_succeeded(self, name: str, host: str, device: str | None) -> str:
        """Forget the failures of this name at this address; the browser's device token.

        The counts per address and per name stay: signing in to one's own account must
        not clear the failures on others.
        """
        self._pair.succeeded(f"{name}\n{address_key(host)}")
        return self.remember(name, device)

    def remember(self, name: str, device: str | None) -> str:
        """Remember a browser as the learner's own; its device token (kept or new)."""
        devices = self._devices.setdefault(name, OrderedDict())
        if device is not None and token_hash(device) in devices:
            devices.move_to_end(token_hash(device))
            return device
        device = new_token()
        devices[token_hash(device)] = None
        while len(devices) > DEVICES_PER_NAME:
            devices.popitem(last=False)
        return device

    def knows(self, name: str, device: str | None) -> bool:
        """Whether ``device`` is a browser the learner ``name`` has signed in from."""
        return device is not None and token_hash(device) in self._devices.get(name, {})
