"""The sweep in batches: each batch is one transaction (claim, notices, escalations),
notices are written once however many wishes fall due, and the work per batch does not
grow with the number of wishes in it."""

import pytest
from django.db import connection

from wishes import services, tasks
from wishes.models import Level, Notification, Status, Wish

from .factories import submit_wish as submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliveries(monkeypatch):
    """Count the e-mail delivery runs queued (instead of sending them to Celery)."""
    queued = []
    monkeypatch.setattr(tasks.deliver_notification_emails, "delay", lambda *a, **k: queued.append(a))
    return queued


@pytest.fixture(params=["row locks", "per-row claims"])
def claims(request, monkeypatch):
    """Both ways of claiming: PostgreSQL's locked batch, and the per-row conditional
    UPDATEs used where ``SKIP LOCKED`` is missing (SQLite, the quickstart)."""
    if request.param == "row locks" and not connection.features.has_select_for_update_skip_locked:
        pytest.skip("no SELECT … FOR UPDATE SKIP LOCKED on this database")
    if request.param == "per-row claims":
        monkeypatch.setattr(type(connection.features), "has_select_for_update_skip_locked", False)
    return request.param


def kinds():
    return sorted(Notification.objects.values_list("kind", "wish_id", "recipient__username", "stage"))


def test_many_due_wishes_are_each_noticed_once_with_one_delivery_run(
    tree, staff, clock, monkeypatch, deliveries, django_capture_on_commit_callbacks, claims
):
    monkeypatch.setattr(tasks, "BATCH", 7)  # several batches, the last one partial
    here = [submit(tree, category="education") for _ in range(20)]
    there = [submit(tree, category="education", compound=tree.other_compound) for _ in range(5)]
    clock.advance(hours=25)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.sweep()
    assert (result["reminders"], result["overdue"], result["escalated"]) == (25, 25, 0)
    assert len(deliveries) == 1  # one e-mail run for the whole sweep
    # Each wish's notices go to its own community's staff, once per kind.
    expected = sorted(
        [(kind, w.pk, "community", 1) for w in here for kind in ("overdue", "reminder")]
        + [(kind, w.pk, "community2", 1) for w in there for kind in ("overdue", "reminder")]
    )
    assert kinds() == expected
    assert not Wish.objects.filter(remind_at__isnull=False).exists()
    assert Wish.objects.filter(was_overdue=True).count() == 25
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep() == {"reminders": 0, "overdue": 0, "escalated": 0, "closed": 0}
    assert len(deliveries) == 1  # nothing written, nothing queued


def test_only_wishes_that_need_it_go_through_the_escalation_service(tree, staff, clock, monkeypatch, claims):
    escalating = [submit(tree, category="lighting") for _ in range(3)]
    staying = [submit(tree, category="education") for _ in range(3)]
    services.wish_accept(wish=escalating[0], actor=staff.community_staff)
    services.wish_claim(wish=staying[0], actor=staff.grid_secretary, claimer_kind="party_member",
                        claimer_name="李党员")
    called = []
    real = services.wish_escalate
    monkeypatch.setattr(services, "wish_escalate", lambda **kw: called.append(kw["wish"].pk) or real(**kw))
    clock.advance(days=8)
    result = tasks.sweep()
    assert (result["overdue"], result["escalated"]) == (6, 3)
    assert sorted(called) == sorted(w.pk for w in escalating)
    assert set(Wish.objects.filter(pk__in=[w.pk for w in escalating]).values_list("level", flat=True)) == {
        Level.STREET}
    assert set(Wish.objects.filter(pk__in=[w.pk for w in staying]).values_list("status", flat=True)) == {
        Status.SUBMITTED}
    # The claimer hears of the overdue wish they claimed, as before batching.
    assert Notification.objects.filter(kind="overdue", wish=staying[0], recipient=staff.grid_secretary).exists()
    # The street hears of each escalation once.
    assert Notification.objects.filter(kind="escalated", recipient=staff.street_staff).count() == 3


def test_a_crash_in_a_batch_rolls_back_its_claims_and_notices(tree, staff, clock, monkeypatch):
    wishes = [submit(tree, category="lighting") for _ in range(4)]
    clock.advance(hours=25)
    tasks.sweep_reminders()  # reminders out of the way

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    # The escalation comes after the batch's claims and overdue notices were written.
    monkeypatch.setattr(services, "wish_escalate", crash)
    with pytest.raises(RuntimeError):
        tasks.sweep()
    assert not Notification.objects.filter(kind="overdue").exists()
    assert Wish.objects.filter(overdue_at__isnull=False, was_overdue=False).count() == 4
    monkeypatch.undo()
    monkeypatch.setattr("governance.clock.now", clock)
    result = tasks.sweep()
    assert (result["overdue"], result["escalated"]) == (4, 4)
    assert Notification.objects.filter(kind="overdue").count() == 4
    assert {w.level for w in Wish.objects.filter(pk__in=[w.pk for w in wishes])} == {Level.STREET}


@pytest.mark.parametrize("extra", [0, 45])
def test_the_queries_of_a_sweep_do_not_grow_with_the_due_wishes(
    tree, staff, clock, extra, django_assert_max_num_queries, claims
):
    """5 or 50 due wishes (one batch): the same number of queries with row locks. A
    sweep without escalations, whose service call is per wish by design."""
    for i in range(5 + extra):
        submit(tree, category="education", compound=tree.other_compound if i % 2 else tree.compound)
    clock.advance(hours=25)
    # Row locks: per marker one batch (savepoint, lock the ids, claim, read the wishes,
    # recipients, insert the notices, release; overdue also sets was_overdue) and the
    # empty claim that ends the loop (savepoint, select, release); then the rating-window
    # check: 7 + 3 + 8 + 3 + 1 = 22, for 5 wishes as for 50. Per-row claims add one
    # conditional UPDATE per wish and marker (and drop the batch UPDATE).
    most = 22 if claims == "row locks" else 22 + 2 * (5 + extra)
    with django_assert_max_num_queries(most):
        result = tasks.sweep()
    assert (result["reminders"], result["overdue"]) == (5 + extra, 5 + extra)
