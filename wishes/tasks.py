"""Celery jobs for micro-wishes. Each takes ids or nothing, re-reads the database and
is safe to run twice, or twice at once."""

import logging

from celery import shared_task
from django.db import connection, transaction
from django.utils.translation import gettext as _

from governance import clock
from governance.sms import get_backend

from . import notify
from .models import LEVEL_ORDER, OPEN_STATUSES, Notification, ResidentMessage, Status, Wish

logger = logging.getLogger(__name__)

# Wishes claimed and notified per transaction. Large enough that per-batch costs
# (commit, the recipients query, one INSERT) vanish; small enough that a transaction
# holds its row locks briefly and a crash redoes little.
BATCH = 500


def _pending(field: str, now, *, lock: bool = False):
    """Ids of wishes whose ``field`` time has come, oldest first, one batch at a time:
    a scan of the partial index on that field, which holds pending work only. With
    ``lock`` the rows are locked ``FOR UPDATE SKIP LOCKED``: rows another sweep holds
    are left to it, so two sweeps at once take disjoint batches instead of waiting."""
    pending = Wish.objects.filter(**{f"{field}__lte": now})
    if lock:
        pending = pending.select_for_update(skip_locked=True)
    return list(pending.order_by(field, "pk").values_list("pk", flat=True)[:BATCH])


def _claim_batch(field: str, now) -> list[int]:
    """Claim the next batch of pending ``field`` markers in the current transaction and
    return the ids claimed: ``field`` is NULLed only where it is still due, so of two
    sweeps racing exactly one claims each wish. The claim commits or rolls back with
    the notices written after it: a crash before commit leaves the markers set and the
    next sweep redoes the batch.

    Each call clears the marker of every row it returns, so the caller's loop ends; an
    empty list means nothing is due (or all that is due is claimed by another sweep).
    """
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: lock the batch, then clear the markers with one UPDATE. The rows
        # are ours until commit; the repeated condition only restates the rule.
        ids = _pending(field, now, lock=True)
        if ids:
            Wish.objects.filter(pk__in=ids, **{f"{field}__lte": now}).update(**{field: None})
        return ids
    # SQLite (the quickstart) has no row locks: claim row by row with a conditional
    # UPDATE each; the one that changes a row has won it. Few rows are due there.
    return [
        pk for pk in _pending(field, now)
        if Wish.objects.filter(pk=pk, **{f"{field}__lte": now}).update(**{field: None})
    ]


def _open_wishes(ids: list[int]) -> list[Wish]:
    """The claimed wishes still open (a closed one only loses its stale marker), with
    what the notices and the escalation rule read, in one query."""
    return list(
        Wish.objects.filter(pk__in=ids, status__in=OPEN_STATUSES)
        .select_related("compound", "category")
        .order_by("pk")
    )


def sweep_reminders(now=None) -> int:
    now = now or clock.now()
    sent = 0
    while True:
        # One transaction per batch: claim, notices, commit; nothing half done.
        with transaction.atomic():
            ids = _claim_batch("remind_at", now)
            if not ids:
                return sent
            wishes = _open_wishes(ids)
            notify.staff_many(wishes, Notification.Kind.REMINDER)
            sent += len(wishes)


def sweep_overdue(now=None) -> tuple[int, int]:
    from .services import WishConflict, wish_escalate

    now = now or clock.now()
    noticed = escalated = 0
    while True:
        with transaction.atomic():
            ids = _claim_batch("overdue_at", now)
            if not ids:
                return noticed, escalated
            wishes = _open_wishes(ids)
            Wish.objects.filter(pk__in=[w.pk for w in wishes]).update(was_overdue=True)
            # The overdue notice goes to whoever handles the wish now, before it moves up.
            notify.staff_many(wishes, Notification.Kind.OVERDUE)
            noticed += len(wishes)
            for wish in wishes:
                can_go_up = LEVEL_ORDER.index(wish.level) + 1 < len(LEVEL_ORDER)
                if not (wish.category.escalate_when_overdue and can_go_up):
                    continue
                # Through the service, one wish at a time: it locks the row (ours
                # already), checks the state, starts the next stage, audits and tells
                # the next level. Its own atomic() is a savepoint in the batch's
                # transaction, so a conflict undoes that escalation only.
                try:
                    wish_escalate(wish=wish, actor=None, note=_("overdue: escalated automatically"))
                    escalated += 1
                except WishConflict:  # changed meanwhile; the notice still stands
                    pass


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
    # One e-mail delivery run for the whole sweep, queued after its last commit,
    # instead of one Celery message per notice (escalation notices included).
    with notify.one_email_run():
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
