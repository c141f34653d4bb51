"""Rate limits for the anonymous wish pages (the mechanism: :mod:`governance.ratelimit`).

A request over the limit is refused *before* anything is stored.
``settings.WISH_RATE_LIMITS`` overrides any of :data:`DEFAULT_LIMITS`:
``{"submit_ip": (5, 3600), ...}`` = at most 5 in each window of 3600 seconds.
"""

from __future__ import annotations

from governance.ratelimit import Limiter, Verdict, client_ip

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "submit_ip": (5, 60 * 60),  # wishes filed from one address per hour
    "submit_phone": (3, 24 * 60 * 60),  # wishes filed for one mobile number per day
    "track_ip": (20, 60 * 60),  # tracking look-ups from one address per hour
    "track_code": (10, 24 * 60 * 60),  # look-ups of one tracking code per day
}

LIMITER = Limiter(prefix="wish-rl", defaults=DEFAULT_LIMITS, setting="WISH_RATE_LIMITS")
limits = LIMITER.limits
hit = LIMITER.hit
hit_all = LIMITER.hit_all

__all__ = ["DEFAULT_LIMITS", "LIMITER", "Verdict", "client_ip", "hit", "hit_all", "limits"]
