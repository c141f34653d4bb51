"""Rate limits for anonymous pages, kept in Django's cache (fixed windows).

The counter for ``(rule, subject, window number)`` is created with ``cache.add`` (only
the first request of the window creates it) and raised with ``cache.incr``; both are
atomic in Redis (tests, production). The quickstart's file cache does ``incr`` as
read-then-write, which may miss a count under a burst: good enough for a laptop.

Each app has its own :class:`Limiter`: a key prefix, default limits
``{rule: (count, window seconds)}`` and the name of a setting that overrides them.

The client address is ``REMOTE_ADDR`` only. Behind a reverse proxy that address is
the proxy's unless the proxy server sets it (e.g. uWSGI/gunicorn behind nginx with
the real-IP module); ``X-Forwarded-For`` is never trusted here, since any client can
send it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


@dataclass(frozen=True)
class Limiter:
    prefix: str
    defaults: dict[str, tuple[int, int]]
    setting: str

    def limits(self) -> dict[str, tuple[int, int]]:
        return {**self.defaults, **getattr(settings, self.setting, {})}

    def _window(self, rule: str, subject: str) -> tuple[str, int, int]:
        """The counter's key, the limit and the seconds left in the current window."""
        allowed, period = self.limits()[rule]
        now = int(time.time())
        # Hash the subject: it may be a phone number (no personal data in cache keys)
        # or attacker-chosen text (no odd characters or lengths either).
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:{rule}:{subject}".encode()).hexdigest()[:32]
        return f"{self.prefix}:{rule}:{digest}:{now // period}", allowed, period - (now % period)

    def count(self, rule: str, subject: str) -> int:
        """Count one attempt; returns the window's count so far."""
        key, _allowed, left = self._window(rule, subject)
        for _attempt in range(3):
            if cache.add(key, 1, left + 1):
                return 1
            try:
                return cache.incr(key)
            except ValueError:  # the counter expired between add and incr: start again
                continue
        return 1  # pragma: no cover - the cache keeps losing the key

    def hit(self, rule: str, subject: str) -> Verdict:
        """Count one attempt of ``subject`` (an address, a phone number...) under
        ``rule`` and say whether it is within the limit."""
        _key, allowed, left = self._window(rule, subject)
        if self.count(rule, subject) > allowed:
            return Verdict(False, retry_after=left)
        return Verdict(True)

    def peek(self, rule: str, subject: str) -> Verdict:
        """Whether ``subject`` has used up ``rule`` in this window, counting nothing
        (for limits that count only failures, such as unknown codes)."""
        key, allowed, left = self._window(rule, subject)
        if (cache.get(key) or 0) >= allowed:
            return Verdict(False, retry_after=left)
        return Verdict(True)

    def hit_all(self, *checks: tuple[str, str]) -> Verdict:
        """Count ``(rule, subject)`` pairs in order; stop at the first one over its
        limit (the later ones are not counted)."""
        for rule, subject in checks:
            verdict = self.hit(rule, subject)
            if not verdict.allowed:
                return verdict
        return Verdict(True)
