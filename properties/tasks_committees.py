"""Re-election (换届) reminders: the periodic sweep (``properties.reelection_sweep``,
scheduled as "property-reelection-sweep") and the e-mails to community staff.

Exactly once: a reminder is one row per (kind, committee, key) under a unique
constraint, the key being the term's end date. The sweep inserts with
``ignore_conflicts``, so running it twice (or twice at once) adds nothing; a
re-election gives the committee a new end date, hence a new key, and the next term
gets reminders of its own. The e-mail task claims each reminder with a conditional
``UPDATE … SET emailed_at = now WHERE id = … AND emailed_at IS NULL`` before
sending, so no reminder is e-mailed twice.

One reminder per committee and window, for the window the committee is in when the
sweep sees it: 90 days (the term ends in 31–90 days), 30 days (0–30 days), overdue
(the term ended). A committee that enters the 30-day window without ever having been
seen in the 90-day window (created 20 days before its term ends) gets only the
30-day reminder, not both at once.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import clock
from governance.models import StaffRole
from governance.tree import ids_in_path

from .models import Committee, Reminder, ReminderKind
from .selectors_committees import DUE_NOW_DAYS, DUE_SOON_DAYS

__all__ = ["deliver_reminder_emails", "reelection_sweep"]

logger = logging.getLogger(__name__)

BATCH = 500
REELECTION_KINDS = (ReminderKind.REELECTION_90, ReminderKind.REELECTION_30, ReminderKind.REELECTION_OVERDUE)


def reminder_kind(term_ends_on: datetime.date, today: datetime.date) -> str | None:
    """The reminder due for a term ending on ``term_ends_on``, seen on ``today``."""
    days = (term_ends_on - today).days
    if days < 0:
        return ReminderKind.REELECTION_OVERDUE
    if days <= DUE_NOW_DAYS:
        return ReminderKind.REELECTION_30
    if days <= DUE_SOON_DAYS:
        return ReminderKind.REELECTION_90
    return None


def reminder_message(committee: Committee, kind: str, today: datetime.date) -> str:
    values = {
        "committee": committee.name, "community": committee.community.name,
        "date": committee.term_ends_on.isoformat(), "days": (committee.term_ends_on - today).days,
    }
    if kind == ReminderKind.REELECTION_OVERDUE:
        text = _("The term of %(committee)s (%(community)s) ended on %(date)s and no re-election (换届) "
                 "has been recorded: it is overdue.")
    elif kind == ReminderKind.REELECTION_30:
        text = _("The term of %(committee)s (%(community)s) ends on %(date)s, in %(days)s days: the "
                 "re-election (换届) is due now.")
    else:
        text = _("The term of %(committee)s (%(community)s) ends on %(date)s, in %(days)s days: prepare "
                 "the re-election (换届).")
    return (text % values)[:300]


def _insert(rows: list[Reminder]) -> int:
    """Insert the reminders not sent before; returns how many were new (a concurrent
    sweep may have inserted one between the look-up and the insert: the constraint
    then drops it silently)."""
    if not rows:
        return 0
    sent = set(
        Reminder.objects.filter(
            committee_id__in=[r.committee_id for r in rows], kind__in=[str(k) for k in REELECTION_KINDS],
        ).values_list("kind", "committee_id", "key")
    )
    new = [r for r in rows if (r.kind, r.committee_id, r.key) not in sent]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def sweep(today: datetime.date | None = None) -> int:
    """Create the reminders due on ``today`` (default: today's local date)."""
    now = clock.now()
    today = today or timezone.localdate(now)
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    # Active committees whose term ends within 90 days or has ended: a range scan of
    # the term_ends_on index, streamed.
    due = (
        Committee.objects.active().filter(term_ends_on__lte=horizon)
        .select_related("community").order_by("term_ends_on", "pk")
    )
    created, batch = 0, []
    for committee in due.iterator(chunk_size=BATCH):
        kind = reminder_kind(committee.term_ends_on, today)
        batch.append(Reminder(
            kind=kind, area_id=committee.community_id, committee=committee,
            key=committee.term_ends_on.isoformat(), message=reminder_message(committee, kind, today),
            created_at=now,
        ))
        if len(batch) >= BATCH:
            created += _insert(batch)
            batch = []
    created += _insert(batch)
    if created:
        transaction.on_commit(enqueue_delivery)
    return created


def enqueue_delivery() -> None:
    deliver_reminder_emails.delay()


@shared_task(name="properties.reelection_sweep")
def reelection_sweep() -> int:
    """Remind community staff 90 and 30 days before a committee's term ends, and once
    more when it has ended without a re-election. Safe to run twice, or twice at once."""
    created = sweep()
    logger.info("re-election sweep: %s new reminders", created)
    return created


def community_staff_emails(area) -> list[str]:
    """E-mail addresses of the community staff of ``area`` (a community, or a grid and
    the community above it)."""
    return sorted(set(
        get_user_model().objects.filter(
            is_active=True, staff_roles__role=StaffRole.Role.COMMUNITY_STAFF,
            staff_roles__area_id__in=ids_in_path(area.path),
        ).exclude(email="").values_list("email", flat=True)
    ))


@shared_task(name="properties.deliver_reminder_emails")
def deliver_reminder_emails(limit: int = 200) -> int:
    """E-mail the re-election reminders not yet e-mailed to the community staff. Each
    is claimed by a conditional UPDATE first, so two workers never send one twice."""
    from django.core.mail import send_mass_mail

    sent = 0
    while True:
        pending = list(
            Reminder.objects.filter(
                kind__in=[str(k) for k in REELECTION_KINDS], committee__isnull=False, emailed_at__isnull=True,
            ).select_related("area").order_by("pk")[:limit]
        )
        if not pending:
            return sent
        recipients: dict[int, list[str]] = {}
        for reminder in pending:
            claimed = Reminder.objects.filter(pk=reminder.pk, emailed_at__isnull=True).update(emailed_at=clock.now())
            if not claimed:
                continue  # another worker has it
            if reminder.area_id not in recipients:
                recipients[reminder.area_id] = community_staff_emails(reminder.area)
            subject = reminder.message[:80]
            send_mass_mail(
                [(subject, reminder.message, None, [email]) for email in recipients[reminder.area_id]],
                fail_silently=True,
            )
            sent += 1
