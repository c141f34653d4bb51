"""The periodic sweep: reminders at 80%, overdue notices and escalation at 100%, closing
after the rating window; each exactly once."""

import datetime

import pytest
from django.core import mail

from governance.sms import MemorySmsBackend
from wishes import services, tasks
from wishes.models import Level, Notification, ResidentMessage, Status, Wish

from .factories import submit_wish as submit

pytestmark = pytest.mark.django_db


def notices(kind):
    return list(Notification.objects.filter(kind=kind).values_list("recipient__username", "stage"))


def test_nothing_is_sent_before_eighty_percent_of_the_limit(tree, staff, clock):
    submit(tree)
    clock.advance(hours=19)  # 80% of 24 h is 19.2 h
    assert tasks.sweep()["reminders"] == 0


def test_a_reminder_goes_out_once_at_eighty_percent(tree, staff, clock):
    wish = submit(tree)
    clock.advance(hours=20)
    assert tasks.sweep()["reminders"] == 1
    assert tasks.sweep()["reminders"] == 0
    assert notices("reminder") == [("community", wish.stage)]


def test_the_overdue_notice_goes_out_once_and_marks_the_wish(tree, staff, clock):
    wish = submit(tree, category="education")  # this category does not escalate
    clock.advance(hours=25)
    result = tasks.sweep()
    assert (result["reminders"], result["overdue"], result["escalated"]) == (1, 1, 0)
    assert tasks.sweep()["overdue"] == 0
    wish.refresh_from_db()
    assert wish.was_overdue and wish.status == Status.SUBMITTED
    assert notices("overdue") == [("community", 1)]


def test_an_overdue_wish_escalates_when_its_category_says_so(tree, staff, clock):
    wish = submit(tree, category="lighting")
    services.wish_accept(wish=wish, actor=staff.community_staff)
    clock.advance(days=7, hours=1)
    result = tasks.sweep()
    assert result["escalated"] == 1
    wish.refresh_from_db()
    assert (wish.status, wish.level) == (Status.STREET, Level.STREET)
    assert wish.due_at == clock.current + datetime.timedelta(days=7)
    # The street hears of it; the new stage has its own reminders later.
    assert ("street", wish.stage) in notices("escalated")
    assert tasks.sweep() == {"reminders": 0, "overdue": 0, "escalated": 0, "closed": 0}


def test_each_stage_gets_its_own_reminder(tree, staff, clock):
    wish = submit(tree)
    clock.advance(hours=20)
    tasks.sweep()
    services.wish_accept(wish=wish, actor=staff.community_staff)
    clock.advance(days=6)  # 6 of 7 days: past 80%
    assert tasks.sweep()["reminders"] == 1
    assert sorted(stage for _user, stage in notices("reminder")) == [1, 2]


def test_a_worker_dying_mid_run_loses_nothing(tree, staff, clock, monkeypatch):
    submit(tree)
    clock.advance(hours=20)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr("wishes.notify.staff_many", crash)  # the sweep writes a batch's notices with it
    with pytest.raises(RuntimeError):
        tasks.sweep()
    monkeypatch.undo()
    monkeypatch.setattr("governance.clock.now", clock)
    assert tasks.sweep()["reminders"] == 1
    assert len(notices("reminder")) == 1


def test_resolved_wishes_close_after_the_rating_window(tree, staff, clock):
    wish = submit(tree)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    services.wish_resolve(wish=wish, actor=staff.community_staff, note="修好了")
    clock.advance(days=6)
    assert tasks.sweep()["closed"] == 0
    clock.advance(days=2)
    assert tasks.sweep()["closed"] == 1
    assert Wish.objects.get(pk=wish.pk).status == Status.CLOSED
    assert tasks.sweep()["closed"] == 0


def test_the_resident_text_is_sent_once_even_if_the_task_runs_twice(tree, staff, clock, settings):
    settings.SMS_BACKEND = "governance.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    wish = submit(tree)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    wish = services.wish_resolve(wish=wish, actor=staff.community_staff, note="修好了")
    assert tasks.send_resident_message(wish.pk, wish.stage, "resolved") is True
    assert tasks.send_resident_message(wish.pk, wish.stage, "resolved") is False
    assert len(MemorySmsBackend.outbox) == 1
    phone, text = MemorySmsBackend.outbox[0]
    assert phone == "13812341234" and wish.tracking_code in text
    assert ResidentMessage.objects.count() == 1


def test_notification_emails_are_sent_once(tree, staff, clock):
    staff.community_staff.email = "fujie@example.org"
    staff.community_staff.save()
    submit(tree)
    assert tasks.deliver_notification_emails() == 1
    assert tasks.deliver_notification_emails() == 0
    assert [m.to for m in mail.outbox] == [["fujie@example.org"]]
