"""``/health/``: can this process reach its database and its broker/cache?

Load balancers and the CI smoke test call it. It answers 200 only when both
answer, and says which one failed otherwise.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("health-check", "ok", timeout=10)
    if cache.get("health-check") != "ok":
        raise RuntimeError("cache did not return the value it was given")
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    client.ping()
    return "ok"


def health(request):
    checks, healthy = {}, True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
