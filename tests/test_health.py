"""/health/ reports the database and Redis; the test run itself uses both."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_health_reports_database_cache_and_redis(client):
    response = client.get("/health/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    if settings.REDIS_URL:
        assert body["checks"]["redis"] == "ok"


def test_health_fails_loudly_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")
