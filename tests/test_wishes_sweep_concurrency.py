"""Two sweeps at once over real PostgreSQL connections (like test_wishes_concurrency.py):
each due wish is claimed, noticed and escalated by exactly one of them."""

import pytest
from django.db import connection

from governance.models import AuditEvent
from wishes import tasks
from wishes.models import Notification, Wish

from .concurrent import run_together
from .factories import submit_wish

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_sweeps_at_once_notify_and_escalate_each_wish_once(tree, staff, clock, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH", 4)  # many small batches, so the two interleave
    wishes = [submit_wish(tree, category="lighting" if i % 3 == 0 else "education") for i in range(30)]
    escalating = sum(1 for i in range(30) if i % 3 == 0)
    Notification.objects.all().delete()
    clock.advance(hours=25)
    results = run_together(tasks.sweep, tasks.sweep)
    assert all(kind == "ok" for kind, _ in results), results
    totals = {key: sum(r[key] for _, r in results) for key in ("reminders", "overdue", "escalated")}
    assert totals == {"reminders": 30, "overdue": 30, "escalated": escalating}, results
    for kind in ("reminder", "overdue"):
        assert Notification.objects.filter(kind=kind).count() == 30
    assert Notification.objects.filter(kind="escalated").count() == escalating
    assert AuditEvent.objects.filter(action="escalated").count() == escalating
    assert not Wish.objects.filter(pk__in=[w.pk for w in wishes], remind_at__lte=clock.current).exists()
