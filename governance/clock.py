"""The current time, in one place, so that tests can move it (``monkeypatch``)."""

from django.utils import timezone


def now():
    return timezone.now()
