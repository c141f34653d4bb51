"""Who hears about a wish, and how.

Staff get an in-portal :class:`Notification` row, written in the same transaction as
the change (so it exists exactly when the change does) and e-mailed afterwards by a
task that claims each row once. Residents get a text message, queued after commit
and made idempotent by :class:`ResidentMessage`'s unique key.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import RoleKind, StaffRole

from .models import Level, Notification, Wish

MESSAGES = {
    Notification.Kind.NEW: _("New wish %(code)s at %(compound)s: %(title)s"),
    Notification.Kind.REMINDER: _("Wish %(code)s is due soon (%(due)s): %(title)s"),
    Notification.Kind.OVERDUE: _("Wish %(code)s is overdue since %(due)s: %(title)s"),
    Notification.Kind.ESCALATED: _("Wish %(code)s was handed to your level: %(title)s"),
    Notification.Kind.REOPENED: _("Wish %(code)s was reopened by the resident: %(title)s"),
}


def handlers(wish: Wish):
    """Staff of the level now handling the wish, and whoever recorded its claim."""
    if wish.level == Level.COMMUNITY:
        q = Q(staff_roles__area=wish.community_id, staff_roles__role=RoleKind.COMMUNITY_STAFF)
    else:
        q = Q(staff_roles__area=wish.street_id, staff_roles__role=RoleKind.STREET_STAFF)
    if wish.claimer_user_id:
        q |= Q(pk=wish.claimer_user_id)
    return get_user_model().objects.filter(q, is_active=True).distinct()


def _message(wish: Wish, kind: str) -> str:
    from django.utils import timezone

    due = timezone.localtime(wish.due_at).strftime("%Y-%m-%d %H:%M") if wish.due_at else ""
    message = str(MESSAGES[kind]) % {
        "code": wish.tracking_code, "compound": wish.compound.name, "title": wish.title, "due": due,
    }
    return message[:300]


def staff(wish: Wish, kind: str) -> int:
    rows = [
        Notification(recipient=user, wish=wish, kind=kind, stage=wish.stage, message=_message(wish, kind))
        for user in handlers(wish)
    ]
    # ignore_conflicts: a second sweep that got this far adds nothing (unique key).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _want_email_run()
    return len(rows)


def handlers_of_many(wishes) -> dict[int, set[int]]:
    """``handlers`` for many wishes at once, in at most two queries whatever their
    number (the sweep's batches): {wish id: user ids}. Same rule as ``handlers``."""
    community_ids = {w.community_id for w in wishes if w.level == Level.COMMUNITY}
    street_ids = {w.street_id for w in wishes if w.level != Level.COMMUNITY}
    by_area: dict[tuple[int, str], set[int]] = {}
    if community_ids or street_ids:
        roles = StaffRole.objects.filter(
            Q(area__in=community_ids, role=RoleKind.COMMUNITY_STAFF)
            | Q(area__in=street_ids, role=RoleKind.STREET_STAFF),
            user__is_active=True,
        ).values_list("area_id", "role", "user_id")
        for area_id, role, user_id in roles:
            by_area.setdefault((area_id, role), set()).add(user_id)
    claimer_ids = {w.claimer_user_id for w in wishes if w.claimer_user_id}
    if claimer_ids:
        claimer_ids = set(
            get_user_model().objects.filter(pk__in=claimer_ids, is_active=True).values_list("pk", flat=True)
        )
    result = {}
    for w in wishes:
        if w.level == Level.COMMUNITY:
            users = set(by_area.get((w.community_id, RoleKind.COMMUNITY_STAFF), ()))
        else:
            users = set(by_area.get((w.street_id, RoleKind.STREET_STAFF), ()))
        if w.claimer_user_id in claimer_ids:
            users.add(w.claimer_user_id)
        result[w.pk] = users
    return result


def staff_many(wishes, kind: str) -> int:
    """``staff`` for a batch of wishes: recipients in constant queries, one INSERT.
    The wishes need ``compound`` loaded (for the message)."""
    recipients = handlers_of_many(wishes)
    rows = [
        Notification(recipient_id=user_id, wish=wish, kind=kind, stage=wish.stage, message=_message(wish, kind))
        for wish in wishes
        for user_id in sorted(recipients[wish.pk])
    ]
    # ignore_conflicts stays the last line of defence for "exactly once": the claim
    # already makes a second writer impossible, the unique key would absorb one anyway.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        _want_email_run()
    return len(rows)


# While a sweep runs (``one_email_run``), notices don't each queue an e-mail run after
# their commit (the sweep once sent 258,956 Celery messages for 100,000 due wishes): they
# only record that one is wanted, and the sweep queues a single run at the end. A
# ContextVar, so a sweep in one thread does not silence notices written in another.
_email_run_wanted: ContextVar[list | None] = ContextVar("wish_email_run_wanted", default=None)


def _want_email_run() -> None:
    wanted = _email_run_wanted.get()
    if wanted is None:
        transaction.on_commit(_enqueue_email_delivery)
    else:
        wanted.append(True)


@contextmanager
def one_email_run():
    """Queue at most one e-mail delivery run for all notices written inside the block,
    after the surrounding transaction commits (at once if there is none). On an
    exception nothing is queued: the rows of batches that did commit are found by the
    beat's run of ``wishes.deliver_notification_emails`` every minute anyway."""
    wanted: list = []
    token = _email_run_wanted.set(wanted)
    try:
        yield
    finally:
        _email_run_wanted.reset(token)
    if wanted:
        transaction.on_commit(_enqueue_email_delivery)


def resident(wish: Wish, kind: str) -> None:
    wish_id, stage = wish.pk, wish.stage
    transaction.on_commit(lambda: _enqueue_sms(wish_id, stage, kind))


def _enqueue_email_delivery():
    from .tasks import deliver_notification_emails

    deliver_notification_emails.delay()


def _enqueue_sms(wish_id, stage, kind):
    from .tasks import send_resident_message

    send_resident_message.delay(wish_id, stage, kind)


def notifications_mark_read(*, user) -> int:
    """Mark all of ``user``'s unread notifications read; returns how many."""
    from governance import clock

    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=clock.now()
    )
