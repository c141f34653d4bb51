"""Celery jobs for micro-wishes. Each takes ids or nothing, re-reads the database and
is safe to run twice, or twice at once."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.sms import get_backend

from . import notify
from .models import LEVEL_ORDER, OPEN_STATUSES, Notification, ResidentMessage, Status, Wish

logger = logging.getLogger(__name__)

BATCH = 500


def _claim(pk: int, field: str, now) -> Wish | None:
    """Claim one pending reminder/notice: NULL the marker only if it is still due.
    Of two sweeps racing, exactly one UPDATE matches the row; the other gets 0 rows
    and moves on. Every row a batch returns is cleared or no longer due afterwards,
    so the loop always ends."""
    claimed = Wish.objects.filter(pk=pk, **{f"{field}__lte": now}).update(**{field: None})
    if not claimed:
        return None
    wish = Wish.objects.select_related("compound", "community", "street", "category").get(pk=pk)
    return wish if wish.status in OPEN_STATUSES else None


def _pending(field: str, now):
    """Ids of wishes whose ``field`` time has come, oldest first, one batch at a time:
    a scan of the partial index on that field, which holds pending work only."""
    return list(
        Wish.objects.filter(**{f"{field}__lte": now})
        .order_by(field, "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def sweep_reminders(now=None) -> int:
    now = now or clock.now()
    sent = 0
    while batch := _pending("remind_at", now):
        for pk in batch:
            # Claim and notify in one transaction: if the worker dies before commit,
            # the claim is rolled back and the next sweep does it again.
            with transaction.atomic():
                wish = _claim(pk, "remind_at", now)
                if wish is not None:
                    notify.staff(wish, Notification.Kind.REMINDER)
                    sent += 1
    return sent


def sweep_overdue(now=None) -> tuple[int, int]:
    from .services import WishConflict, wish_escalate

    now = now or clock.now()
    noticed = escalated = 0
    while batch := _pending("overdue_at", now):
        for pk in batch:
            with transaction.atomic():
                wish = _claim(pk, "overdue_at", now)
                if wish is None:
                    continue
                Wish.objects.filter(pk=pk).update(was_overdue=True)
                notify.staff(wish, Notification.Kind.OVERDUE)
                noticed += 1
                can_go_up = LEVEL_ORDER.index(wish.level) + 1 < len(LEVEL_ORDER)
                if wish.category.escalate_when_overdue and can_go_up:
                    try:
                        wish_escalate(wish=wish, actor=None, note=_("overdue: escalated automatically"))
                        escalated += 1
                    except WishConflict:  # changed meanwhile; the notice still stands
                        pass
    return noticed, escalated


def close_unrated(now=None) -> int:
    from .services import RATING_WINDOW, wish_close_unrated

    now = now or clock.now()
    closed = 0
    while True:
        ids = list(
            Wish.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - RATING_WINDOW)
            .order_by("resolved_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return closed
        for pk in ids:
            if wish_close_unrated(wish=Wish(pk=pk)):
                closed += 1


@shared_task(name="wishes.sweep")
def sweep() -> dict:
    """The periodic sweep (every few minutes): due-soon reminders at 80% of a stage's
    time limit, overdue notices (and escalation where the category says so) at 100%,
    and closing resolved wishes whose rating window passed."""
    now = clock.now()
    reminders = sweep_reminders(now)
    overdue, escalated = sweep_overdue(now)
    closed = close_unrated(now)
    result = {"reminders": reminders, "overdue": overdue, "escalated": escalated, "closed": closed}
    logger.info("wish sweep: %s", result)
    return result


@shared_task(name="wishes.deliver_notification_emails")
def deliver_notification_emails(limit: int = 200) -> int:
    """E-mail notifications not yet e-mailed. Each row is claimed by a conditional
    UPDATE before sending, so two workers never send the same one."""
    from django.core.mail import send_mail

    sent = 0
    pending = (
        Notification.objects.filter(emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "wish")
        .order_by("pk")[:limit]
    )
    for note in pending:
        if not Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=clock.now()
        ):
            continue
        send_mail(
            subject=note.message[:80],
            message=note.message,
            from_email=None,
            recipient_list=[note.recipient.email],
            fail_silently=True,
        )
        sent += 1
    return sent


RESIDENT_TEXTS = {
    "resolved": "【社区微心愿】您的心愿 %(code)s 已办结，请凭查询码评价：%(url)s",
    "rejected": "【社区微心愿】您的心愿 %(code)s 未能受理（%(reason)s），详情请凭查询码查看：%(url)s",
}


@shared_task(name="wishes.send_resident_message")
def send_resident_message(wish_id: int, stage: int, kind: str) -> bool:
    from django.conf import settings

    wish = Wish.objects.filter(pk=wish_id).first()
    if wish is None or kind not in RESIDENT_TEXTS:
        return False
    url = f"{getattr(settings, 'PUBLIC_BASE_URL', '').rstrip('/')}/wish/track/"
    text = RESIDENT_TEXTS[kind] % {
        "code": wish.tracking_code, "url": url, "reason": wish.get_reject_reason_display(),
    }
    message, _created = ResidentMessage.objects.get_or_create(
        wish=wish, stage=stage, kind=kind, defaults={"text": text[:300]}
    )
    if not ResidentMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(sent_at=clock.now()):
        return False  # sent already
    get_backend().send(wish.requester_phone, message.text)
    return True
