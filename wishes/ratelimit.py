"""Rate limits for the anonymous wish pages, kept in Django's cache.

Each limit is a fixed window: the counter for ``(rule, subject, window number)`` is
created with ``cache.add`` (only the first request of the window creates it) and
raised with ``cache.incr``; both are atomic in Redis (tests, production). The
quickstart's file cache does ``incr`` as read-then-write, which may miss a count
under a burst: good enough for a laptop. A request over the limit is refused
*before* anything is stored.

``settings.WISH_RATE_LIMITS`` overrides any of :data:`DEFAULT_LIMITS`:
``{"submit_ip": (5, 3600), ...}`` = at most 5 in each window of 3600 seconds.

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

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "submit_ip": (5, 60 * 60),  # wishes filed from one address per hour
    "submit_phone": (3, 24 * 60 * 60),  # wishes filed for one mobile number per day
    "track_ip": (20, 60 * 60),  # tracking look-ups from one address per hour
    "track_code": (10, 24 * 60 * 60),  # look-ups of one tracking code per day
}

KEY_PREFIX = "wish-rl"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "WISH_RATE_LIMITS", {})}


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(rule: str, subject: str, window: int) -> str:
    # Hash the subject: it may be a phone number (no personal data in cache keys)
    # or attacker-chosen text (no odd characters or lengths either).
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{rule}:{subject}".encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{rule}:{digest}:{window}"


def hit(rule: str, subject: str) -> Verdict:
    """Count one attempt of ``subject`` (an address, a phone number...) under ``rule``
    and say whether it is within the limit."""
    allowed, period = limits()[rule]
    now = int(time.time())
    window = now // period
    key = _key(rule, subject, window)
    timeout = period - (now % period) + 1
    count = None
    for _attempt in range(3):
        if cache.add(key, 1, timeout):
            count = 1
            break
        try:
            count = cache.incr(key)
            break
        except ValueError:
            # The counter expired between add and incr: start again.
            continue
    if count is None:  # pragma: no cover - the cache keeps losing the key
        count = 1
    if count > allowed:
        return Verdict(False, retry_after=period - (now % period))
    return Verdict(True)


def hit_all(*checks: tuple[str, str]) -> Verdict:
    """Count ``(rule, subject)`` pairs in order; stop at the first one over its limit
    (the later ones are not counted)."""
    for rule, subject in checks:
        verdict = hit(rule, subject)
        if not verdict.allowed:
            return verdict
    return Verdict(True)
