"""The micro-wish workflow: states, claims, time limits, audit, with a controlled clock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import AuditEvent
from wishes import services
from wishes.models import Category, Level, Notification, Status, TimeLimit, Wish
from wishes.services import WishConflict

from .conftest import T0
from .factories import submit_wish as submit

pytestmark = pytest.mark.django_db

def events(wish):
    return list(
        AuditEvent.objects.filter(object_id=wish.pk, content_type__model="wish")
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


def test_a_submitted_wish_goes_to_its_community_with_an_accept_deadline(tree, staff, clock):
    wish = submit(tree)
    assert wish.status == Status.SUBMITTED and wish.level == Level.COMMUNITY
    assert wish.community == tree.community  # not its grid: the community handles it
    assert wish.street == tree.street
    assert wish.due_at == T0 + datetime.timedelta(hours=24)
    assert wish.remind_at == T0 + datetime.timedelta(hours=24 * 0.8)
    assert len(wish.tracking_code) == 10
    assert events(wish) == [("submitted", "", "submitted")]


def test_the_full_path_community_street_centre_resolved_rated(tree, staff, clock):
    wish = submit(tree)
    clock.advance(hours=2)
    wish = services.wish_accept(wish=wish, actor=staff.community_staff)
    assert wish.status == Status.ACCEPTED and wish.accepted_late is False
    assert wish.due_at == clock.current + datetime.timedelta(days=7)
    wish = services.wish_escalate(wish=wish, actor=staff.community_staff, note="需要街道协调")
    assert (wish.status, wish.level) == (Status.STREET, Level.STREET)
    with pytest.raises(PermissionDenied):  # now the street's: the community cannot act
        services.wish_escalate(wish=wish, actor=staff.community_staff)
    wish = services.wish_escalate(wish=wish, actor=staff.street_staff)
    assert (wish.status, wish.level) == (Status.CENTRE, Level.CENTRE)
    assert wish.due_at == clock.current + datetime.timedelta(days=10)
    with pytest.raises(WishConflict):
        services.wish_escalate(wish=wish, actor=staff.street_staff)
    clock.advance(days=1)
    wish = services.wish_resolve(wish=wish, actor=staff.street_staff, note="已更换灯具")
    assert wish.status == Status.RESOLVED and wish.due_at is None and wish.resolved_level == Level.CENTRE
    wish = services.wish_rate(wish=wish, rating=5, comment="很快")
    assert wish.status == Status.CLOSED and wish.rating == 5
    assert [e[0] for e in events(wish)] == [
        "submitted", "accepted", "escalated", "escalated", "resolved", "rated",
    ]
    assert events(wish)[2][1:] == ("accepted", "street")


def test_illegal_transitions_are_refused_and_change_nothing(tree, staff, clock):
    wish = submit(tree)
    with pytest.raises(WishConflict):
        services.wish_resolve(wish=wish, actor=staff.community_staff, note="x")
    with pytest.raises(WishConflict):
        services.wish_rate(wish=wish, rating=5)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    with pytest.raises(WishConflict):
        services.wish_accept(wish=wish, actor=staff.community_staff)
    services.wish_withdraw(wish=wish)
    for action in (
        lambda: services.wish_accept(wish=wish, actor=staff.community_staff),
        lambda: services.wish_escalate(wish=wish, actor=staff.community_staff),
        lambda: services.wish_reject(wish=wish, actor=staff.community_staff, reason="duplicate"),
        lambda: services.wish_claim(wish=wish, actor=staff.community_staff, claimer_kind="staff"),
        lambda: services.wish_reopen(wish=wish),
    ):
        with pytest.raises(WishConflict):
            action()
    assert Wish.objects.get(pk=wish.pk).status == Status.WITHDRAWN


def test_read_only_and_outside_staff_cannot_act(tree, staff, clock):
    wish = submit(tree)
    with pytest.raises(PermissionDenied):
        services.wish_accept(wish=wish, actor=staff.compound_secretary)
    with pytest.raises(PermissionDenied):
        services.wish_accept(wish=wish, actor=staff.other_community_staff)
    assert Wish.objects.get(pk=wish.pk).status == Status.SUBMITTED


def test_a_late_accept_is_recorded_as_late(tree, staff, clock):
    wish = submit(tree)
    clock.advance(hours=30)
    wish = services.wish_accept(wish=wish, actor=staff.community_staff)
    assert wish.accepted_late is True and wish.was_overdue is True


def test_claims_release_and_a_second_claim_is_a_conflict(tree, staff, clock):
    wish = submit(tree)
    claimed = services.wish_claim(
        wish=wish, actor=staff.grid_secretary, claimer_kind="party_member", claimer_name="李党员"
    )
    assert (claimed.claimer_kind, claimed.claimer_name) == ("party_member", "李党员")
    with pytest.raises(WishConflict, match="李党员"):
        services.wish_claim(wish=wish, actor=staff.community_staff, claimer_kind="volunteer_team")
    with pytest.raises(PermissionDenied):
        services.wish_release(wish=wish, actor=staff.compound_secretary)
    services.wish_release(wish=wish, actor=staff.grid_secretary)
    again = services.wish_claim(
        wish=wish, actor=staff.community_staff, claimer_kind="caring_merchant", claimer_name="好邻居超市"
    )
    assert again.claimer_name == "好邻居超市"
    assert [e[0] for e in events(wish)] == ["submitted", "claimed", "released", "claimed"]
    with pytest.raises(PermissionDenied):
        services.wish_claim(wish=wish, actor=staff.other_street_staff, claimer_kind="staff")


def test_reject_needs_a_reason(tree, staff, clock):
    wish = submit(tree)
    with pytest.raises(ValidationError):
        services.wish_reject(wish=wish, actor=staff.community_staff, reason="other")
    wish = services.wish_reject(wish=wish, actor=staff.community_staff, reason="duplicate")
    assert wish.status == Status.REJECTED and wish.due_at is None


def test_reopen_returns_to_the_level_that_resolved_within_seven_days(tree, staff, clock):
    wish = submit(tree)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    services.wish_escalate(wish=wish, actor=staff.community_staff)
    services.wish_resolve(wish=wish, actor=staff.street_staff, note="已修")
    clock.advance(days=3)
    wish = services.wish_reopen(wish=wish, note="灯又坏了")
    assert (wish.status, wish.level) == (Status.STREET, Level.STREET)
    assert wish.due_at == clock.current + datetime.timedelta(days=7)
    services.wish_resolve(wish=wish, actor=staff.street_staff, note="换了线路")
    services.wish_rate(wish=wish, rating=2)
    clock.advance(days=8)
    with pytest.raises(WishConflict, match="7"):
        services.wish_reopen(wish=wish)


def test_category_time_limits_override_the_defaults(tree, staff, clock):
    category = Category.objects.get(code="sanitation")
    TimeLimit.objects.create(category=category, level="community", accept_hours=4, resolve_hours=48)
    wish = submit(tree, category="sanitation")
    assert wish.due_at == T0 + datetime.timedelta(hours=4)
    wish = services.wish_accept(wish=wish, actor=staff.community_staff)
    assert wish.due_at == T0 + datetime.timedelta(hours=48)
    other = submit(tree, category="lighting")
    assert other.due_at == T0 + datetime.timedelta(hours=24)


def test_intake_validates_the_phone_and_the_compound(tree, staff, clock):
    with pytest.raises(ValidationError) as err:
        submit(tree, requester_phone="1234")
    assert "requester_phone" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        submit(tree, compound=tree.community)
    assert "compound" in err.value.message_dict
    assert Wish.objects.count() == 0


def test_the_same_idempotency_key_files_one_wish(tree, clock):
    first = submit(tree, idempotency_key="form-123")
    again, created = services.wish_submit(
        compound=tree.compound, category=Category.objects.get(code="lighting"), title="x",
        description="y", requester_name="z", requester_phone="13900001111", idempotency_key="form-123",
    )
    assert again.pk == first.pk and created is False
    assert Wish.objects.count() == 1


def test_staff_intake_records_the_channel_and_scope(tree, staff, clock):
    wish = submit(tree, channel="office_day", actor=staff.community_staff, requester_type="merchant")
    assert wish.channel == "office_day" and wish.submitted_by == staff.community_staff
    with pytest.raises(PermissionDenied):
        submit(tree, channel="mailbox", actor=staff.other_community_staff)
    with pytest.raises(PermissionDenied):  # anonymous only through the web form
        submit(tree, channel="mailbox")


def test_new_wishes_notify_the_community_staff_only(tree, staff, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        wish = submit(tree)
    assert callbacks, "delivery is queued only after commit"
    recipients = set(Notification.objects.filter(wish=wish).values_list("recipient__username", flat=True))
    assert recipients == {"community"}
