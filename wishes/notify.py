"""Who hears about a wish, and how.

Staff get an in-portal :class:`Notification` row, written in the same transaction as
the change (so it exists exactly when the change does) and e-mailed afterwards by a
task that claims each row once. Residents get a text message, queued after commit
and made idempotent by :class:`ResidentMessage`'s unique key.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import RoleKind

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


def staff(wish: Wish, kind: str) -> int:
    from django.utils import timezone

    due = timezone.localtime(wish.due_at).strftime("%Y-%m-%d %H:%M") if wish.due_at else ""
    message = str(MESSAGES[kind]) % {
        "code": wish.tracking_code, "compound": wish.compound.name, "title": wish.title, "due": due,
    }
    rows = [
        Notification(recipient=user, wish=wish, kind=kind, stage=wish.stage, message=message[:300])
        for user in handlers(wish)
    ]
    # ignore_conflicts: a second sweep that got this far adds nothing (unique key).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(_enqueue_email_delivery)
    return len(rows)


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
