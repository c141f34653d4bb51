"""Every change of a wish's state, in one place.

Each transition locks the wish row (``select_for_update`` inside ``atomic``),
refuses what the current state does not allow (``WishConflict``, HTTP 409),
moves the stage clock, writes an audit event and queues notifications, which are
sent only after the transaction commits. Claims use a conditional UPDATE instead
of a lock, so two people claiming at once get exactly one winner without waiting.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock
from governance.audit import record_event
from governance.errors import Conflict
from governance.scoping import can_change, require_change
from governance.validators import validate_mobile

from . import notify
from .models import (
    FINAL_STATUSES,
    LEVEL_ORDER,
    OPEN_STATUSES,
    STATUS_FOR_LEVEL,
    Category,
    Channel,
    ClaimerKind,
    Level,
    Notification,
    Rating,
    RejectReason,
    RequesterType,
    Status,
    TimeLimit,
    Wish,
)

# Used when neither the category nor the defaults table has a row for a level.
FALLBACK_HOURS = {"accept": 24, "resolve": 7 * 24}
RATING_WINDOW = datetime.timedelta(days=7)
REMIND_AT_SHARE = 0.8
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


class WishConflict(Conflict):
    """The wish is not in a state that allows this (already accepted, claimed, closed...)."""


# --- helpers -----------------------------------------------------------------


def limit_hours(category: Category, level: str, kind: str) -> int:
    rows = {
        row.category_id: row
        for row in TimeLimit.objects.filter(level=level).filter(
            Q(category=category) | Q(category__isnull=True)
        )
    }
    row = rows.get(category.pk) or rows.get(None)
    if row is None:
        return FALLBACK_HOURS[kind]
    return row.accept_hours if kind == "accept" else row.resolve_hours


def _start_stage(wish: Wish, *, kind: str, now: datetime.datetime, first: bool = False) -> None:
    hours = limit_hours(wish.category, wish.level, kind)
    if not first:
        wish.stage += 1
    wish.stage_started_at = now
    wish.due_at = now + datetime.timedelta(hours=hours)
    wish.remind_at = now + datetime.timedelta(hours=hours * REMIND_AT_SHARE)
    wish.overdue_at = wish.due_at


def _stop_clock(wish: Wish) -> None:
    wish.due_at = wish.remind_at = wish.overdue_at = None


def _nearest(compound: Area, kinds) -> Area | None:
    for area in reversed(list(Area.objects.ancestors_of(compound))):
        if area.kind in kinds:
            return area
    return None


def _new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


def _locked(wish: Wish) -> Wish:
    return (
        Wish.objects.select_for_update(of=("self",))
        .select_related("category", "community", "street", "compound")
        .get(pk=wish.pk)
    )


def _require_handler(actor, wish: Wish) -> None:
    """Only staff who may change the level now handling the wish act on it."""
    if actor is None:
        return  # the system (sweep) acting
    require_change(
        actor, wish.handling_area,
        message=_("Only staff of %(area)s can act on this wish now.") % {"area": wish.handling_area.name},
    )


def is_handler(user, wish: Wish) -> bool:
    """Handlers see the requester's full phone number; everybody else a masked one."""
    if user is None or not user.is_authenticated:
        return False
    if wish.claimer_user_id == user.pk:
        return True
    return can_change(user, wish.handling_area)


def _conflict(wish: Wish, action: str) -> WishConflict:
    return WishConflict(
        _("This wish is %(status)s; it cannot be %(action)s now.")
        % {"status": wish.get_status_display(), "action": action}
    )


def _transition(wish: Wish, *, actor, action: str, from_status: str, note: str = "") -> None:
    wish.save()
    record_event(obj=wish, actor=actor, action=action, from_state=from_status, to_state=wish.status, note=note)


# --- intake --------------------------------------------------------------------


def validate_intake(*, compound: Area, category: Category, requester_phone: str, **_ignored) -> None:
    errors = {}
    if compound is None or compound.kind != AreaKind.COMPOUND:
        errors["compound"] = _("Choose a residential compound.")
    if category is None or not category.is_active:
        errors["category"] = _("Choose one of the current categories.")
    try:
        validate_mobile(requester_phone)
    except ValidationError as exc:
        errors["requester_phone"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def wish_submit(
    *,
    compound: Area,
    category: Category,
    title: str,
    description: str,
    requester_name: str,
    requester_phone: str,
    requester_type: str = RequesterType.RESIDENT,
    channel: str = Channel.WEB,
    photo=None,
    actor=None,
    idempotency_key: str | None = None,
) -> tuple[Wish, bool]:
    """File a wish. Returns ``(wish, created)``; a repeated ``idempotency_key`` (a
    double click, a retry after a timeout) returns the wish filed the first time."""
    if idempotency_key:
        existing = Wish.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    validate_intake(compound=compound, category=category, requester_phone=requester_phone)
    if actor is not None:
        require_change(actor, compound, message=_("You may not file wishes outside your scope."))
    elif channel != Channel.WEB and channel != Channel.API:
        raise PermissionDenied(_("Only staff can record a wish from another channel."))
    # A community handles its compounds; in a park without communities, the grid does.
    community = _nearest(compound, {AreaKind.COMMUNITY}) or _nearest(compound, {AreaKind.GRID})
    street = _nearest(compound, {AreaKind.STREET, AreaKind.TOWN, AreaKind.ZONE})
    if community is None or street is None:
        raise ValidationError({"compound": _("This compound is not attached to a community and a street.")})
    now = clock.now()
    wish = Wish(
        compound=compound, community=community, street=street, category=category,
        title=title.strip(), description=description.strip(), photo=photo or "",
        requester_name=requester_name.strip(), requester_phone=requester_phone.strip(),
        requester_type=requester_type, channel=channel, submitted_by=actor,
        idempotency_key=idempotency_key or None, status=Status.SUBMITTED,
        level=Level.COMMUNITY, created_at=now, stage=1,
    )
    _start_stage(wish, kind="accept", now=now, first=True)
    wish.full_clean(exclude=["photo", "resolution_photo", "tracking_code", "stage_started_at"])
    for _attempt in range(5):
        wish.tracking_code = _new_tracking_code()
        try:
            with transaction.atomic():
                wish.save()
            break
        except IntegrityError:
            if idempotency_key and Wish.objects.filter(idempotency_key=idempotency_key).exists():
                # The same form arrived twice at once: the other request won.
                return Wish.objects.get(idempotency_key=idempotency_key), False
            wish.pk = None  # a tracking-code collision: draw another
    else:  # pragma: no cover - five collisions in 32^10 codes
        raise RuntimeError("could not draw a free tracking code")
    record_event(obj=wish, actor=actor, action="submitted", to_state=wish.status, note=wish.get_channel_display())
    notify.staff(wish, Notification.Kind.NEW)
    return wish, True


# --- staff actions ---------------------------------------------------------------


@transaction.atomic
def wish_accept(*, wish: Wish, actor, note: str = "") -> Wish:
    wish = _locked(wish)
    if wish.status != Status.SUBMITTED:
        raise _conflict(wish, _("accepted"))
    _require_handler(actor, wish)
    now = clock.now()
    previous = wish.status
    wish.accepted_at = now
    wish.accepted_late = now > wish.due_at
    wish.was_overdue = wish.was_overdue or wish.accepted_late
    wish.status = Status.ACCEPTED
    _start_stage(wish, kind="resolve", now=now)
    _transition(wish, actor=actor, action="accepted", from_status=previous, note=note)
    return wish


def wish_bulk_accept(*, wishes, actor) -> tuple[list[Wish], list[tuple[Wish, str]]]:
    """Accept several wishes; each in its own transaction, so one conflict does not
    undo the others. Returns the accepted ones and the refused ones with a reason."""
    accepted, refused = [], []
    for wish in wishes:
        try:
            accepted.append(wish_accept(wish=wish, actor=actor))
        except (WishConflict, PermissionDenied) as exc:
            refused.append((wish, str(exc)))
    return accepted, refused


@transaction.atomic
def wish_escalate(*, wish: Wish, actor, note: str = "") -> Wish:
    """Hand the wish to the next level: community → street → service centre."""
    wish = _locked(wish)
    if wish.status not in OPEN_STATUSES:
        raise _conflict(wish, _("escalated"))
    index = LEVEL_ORDER.index(Level(wish.level))
    if index + 1 >= len(LEVEL_ORDER):
        raise WishConflict(_("The service centre is the last level; this wish cannot go higher."))
    _require_handler(actor, wish)
    now = clock.now()
    if wish.due_at and now > wish.due_at:
        wish.was_overdue = True
    previous = wish.status
    if wish.status == Status.SUBMITTED and wish.accepted_at is None:
        wish.accepted_at = now
        wish.accepted_late = now > wish.due_at
    wish.level = LEVEL_ORDER[index + 1]
    wish.status = STATUS_FOR_LEVEL[wish.level]
    _start_stage(wish, kind="resolve", now=now)
    _transition(wish, actor=actor, action="escalated", from_status=previous, note=note)
    notify.staff(wish, Notification.Kind.ESCALATED)
    return wish


@transaction.atomic
def wish_resolve(*, wish: Wish, actor, note: str, photo=None) -> Wish:
    wish = _locked(wish)
    if wish.status not in (Status.ACCEPTED, Status.STREET, Status.CENTRE):
        raise _conflict(wish, _("resolved"))
    _require_handler(actor, wish)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done.")})
    now = clock.now()
    if wish.due_at and now > wish.due_at:
        wish.was_overdue = True
    previous = wish.status
    wish.status = Status.RESOLVED
    wish.resolved_at = now
    wish.resolved_level = wish.level
    wish.resolution_note = note.strip()
    if photo:
        wish.resolution_photo = photo
    _stop_clock(wish)
    _transition(wish, actor=actor, action="resolved", from_status=previous, note=note)
    notify.resident(wish, "resolved")
    return wish


@transaction.atomic
def wish_reject(*, wish: Wish, actor, reason: str, note: str = "") -> Wish:
    wish = _locked(wish)
    if wish.status not in OPEN_STATUSES:
        raise _conflict(wish, _("rejected"))
    _require_handler(actor, wish)
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == RejectReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Explain the reason.")})
    previous = wish.status
    wish.status = Status.REJECTED
    wish.reject_reason = reason
    wish.closed_at = clock.now()
    _stop_clock(wish)
    _transition(wish, actor=actor, action="rejected", from_status=previous,
                note=f"{RejectReason(reason).label}{': ' + note if note else ''}")
    notify.resident(wish, "rejected")
    return wish


def wish_claim(*, wish: Wish, actor, claimer_kind: str, claimer_name: str = "") -> Wish:
    """Put a name on the wish (认领制). Claimed with one conditional UPDATE: of two
    people claiming at once, the second finds the row taken and gets a conflict."""
    if claimer_kind not in ClaimerKind.values:
        raise ValidationError({"claimer_kind": _("Choose who is claiming the wish.")})
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    if not Wish.objects.visible_to(actor).filter(pk=wish.pk).exists():
        raise PermissionDenied(_("You may not claim wishes outside your scope."))
    name = (claimer_name or "").strip() or actor.get_full_name() or actor.get_username()
    now = clock.now()
    with transaction.atomic():
        claimed = Wish.objects.filter(
            pk=wish.pk, claimer_kind="", status__in=OPEN_STATUSES
        ).update(
            claimer_kind=claimer_kind, claimer_name=name[:60], claimer_user=actor, claimed_at=now,
            updated_at=now,
        )
        current = Wish.objects.get(pk=wish.pk)
        if not claimed:
            if current.status not in OPEN_STATUSES:
                raise _conflict(current, _("claimed"))
            raise WishConflict(_("%(name)s has already claimed this wish.") % {"name": current.claimer_name})
        record_event(
            obj=current, actor=actor, action="claimed", from_state=current.status,
            to_state=current.status, note=f"{ClaimerKind(claimer_kind).label}: {name}",
        )
    return current


@transaction.atomic
def wish_release(*, wish: Wish, actor, note: str = "") -> Wish:
    wish = _locked(wish)
    if not wish.claimer_kind:
        raise WishConflict(_("Nobody has claimed this wish."))
    if wish.claimer_user_id != getattr(actor, "pk", None) and not can_change(actor, wish.handling_area):
        raise PermissionDenied(_("Only the claimer or the handling staff can release a claim."))
    released = f"{wish.get_claimer_kind_display()}: {wish.claimer_name}"
    wish.claimer_kind = wish.claimer_name = ""
    wish.claimer_user = None
    wish.claimed_at = None
    _transition(wish, actor=actor, action="released", from_status=wish.status,
                note=f"{released}{' · ' + note if note else ''}")
    return wish


# --- resident actions ----------------------------------------------------------


@transaction.atomic
def wish_withdraw(*, wish: Wish, note: str = "") -> Wish:
    wish = _locked(wish)
    if wish.status not in OPEN_STATUSES:
        raise _conflict(wish, _("withdrawn"))
    previous = wish.status
    wish.status = Status.WITHDRAWN
    wish.closed_at = clock.now()
    _stop_clock(wish)
    _transition(wish, actor=None, action="withdrawn", from_status=previous, note=note)
    return wish


def _require_recorder(actor, wish: Wish) -> None:
    """Staff recording a resident's answer for them (a phone call, a visit) must be
    able to change the wish's compound; the resident themself passes no actor."""
    if actor is None:
        return
    require_change(
        actor, wish.compound,
        message=_("Only staff of %(area)s can record this for the resident.") % {"area": wish.compound.name},
    )


@transaction.atomic
def wish_rate(*, wish: Wish, rating: int, comment: str = "", actor=None) -> Wish:
    wish = _locked(wish)
    if wish.status != Status.RESOLVED:
        raise _conflict(wish, _("rated"))
    _require_recorder(actor, wish)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose a rating from very dissatisfied to very satisfied.")})
    now = clock.now()
    wish.rating = rating
    wish.rating_comment = (comment or "").strip()[:500]
    wish.rated_at = now
    wish.status = Status.CLOSED
    wish.closed_at = now
    _transition(wish, actor=actor, action="rated", from_status=Status.RESOLVED,
                note=str(Rating(rating).label))
    return wish


@transaction.atomic
def wish_reopen(*, wish: Wish, note: str = "", actor=None) -> Wish:
    """The resident says it is not solved: back to the level that resolved it, within
    seven days of the resolution."""
    wish = _locked(wish)
    if wish.status not in (Status.RESOLVED, Status.CLOSED) or wish.resolved_at is None:
        raise _conflict(wish, _("reopened"))
    now = clock.now()
    if now - wish.resolved_at > RATING_WINDOW:
        raise WishConflict(_("A wish can be reopened within 7 days of its resolution."))
    _require_recorder(actor, wish)
    previous = wish.status
    wish.level = wish.resolved_level or Level.COMMUNITY
    wish.status = STATUS_FOR_LEVEL[wish.level]
    wish.rating = None
    wish.rating_comment = ""
    wish.rated_at = wish.closed_at = wish.resolved_at = None
    _start_stage(wish, kind="resolve", now=now)
    _transition(wish, actor=actor, action="reopened", from_status=previous, note=note)
    notify.staff(wish, Notification.Kind.REOPENED)
    return wish


@transaction.atomic
def wish_close_unrated(*, wish: Wish) -> bool:
    """Close a resolved wish whose rating window has passed. Returns False when there
    is nothing to do (rated, reopened or closed meanwhile)."""
    wish = _locked(wish)
    if wish.status != Status.RESOLVED or clock.now() - wish.resolved_at <= RATING_WINDOW:
        return False
    wish.status = Status.CLOSED
    wish.closed_at = clock.now()
    _transition(wish, actor=None, action="closed", from_status=Status.RESOLVED,
                note=_("rating window passed"))
    return True


__all__ = [
    "FINAL_STATUSES", "WishConflict", "is_handler", "wish_accept", "wish_bulk_accept",
    "wish_claim", "wish_close_unrated", "wish_escalate", "wish_rate", "wish_reject",
    "wish_release", "wish_reopen", "wish_resolve", "wish_submit", "wish_withdraw",
]
