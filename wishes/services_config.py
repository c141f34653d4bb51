"""Writes to the micro-wish configuration: categories and time limits.

Only district administrators and superusers change these (they apply to the whole
portal). Each function locks what it changes, validates, and writes an audit event
in the same transaction. A changed time limit applies to the next stage a wish
starts; the due times of stages already running stay as they were.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.audit import record_event
from governance.models import RoleKind, StaffRole

from .models import Category, Level, TimeLimit

# A year: a longer limit is a typing error, not a policy.
MAX_HOURS = 24 * 366


def can_configure(user) -> bool:
    """District administrators and superusers set categories and time limits."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, role=RoleKind.DISTRICT_ADMIN).exists()


def require_configure(user) -> None:
    if not can_configure(user):
        raise PermissionDenied(
            _("Only district administrators can change wish categories and time limits.")
        )


def _flag(value: bool) -> str:
    return "true" if value else "false"


@transaction.atomic
def category_update(
    *, actor, category: Category, escalate_when_overdue: bool | None = None,
    is_active: bool | None = None,
) -> Category:
    """Turn automatic escalation of overdue wishes on or off, or retire a category
    (an inactive category takes no new wishes; its wishes carry on)."""
    require_configure(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    changed = []
    before, after = [], []
    for field, value in (("escalate_when_overdue", escalate_when_overdue), ("is_active", is_active)):
        if value is None or getattr(category, field) == bool(value):
            continue
        before.append(f"{field}={_flag(getattr(category, field))}")
        setattr(category, field, bool(value))
        after.append(f"{field}={_flag(bool(value))}")
        changed.append(field)
    if changed:
        category.save(update_fields=changed)
        record_event(
            obj=category, actor=actor, action="updated",
            from_state=", ".join(before), to_state=", ".join(after), note=", ".join(changed),
        )
    return category


def _validate_hours(accept_hours, resolve_hours) -> tuple[int, int]:
    errors = {}
    values = {}
    for field, value in (("accept_hours", accept_hours), ("resolve_hours", resolve_hours)):
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except (TypeError, ValueError):
                errors[field] = _("Enter a whole number of hours.")
                continue
        if value <= 0:
            errors[field] = _("The limit must be more than 0 hours.")
        elif value > MAX_HOURS:
            errors[field] = _("The limit can be at most %(max)d hours (a year).") % {"max": MAX_HOURS}
        values[field] = value
    if errors:
        raise ValidationError(errors)
    return values["accept_hours"], values["resolve_hours"]


def _validate_level(level) -> str:
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a level: community, street or service centre.")})
    return level


def _limits_text(row: TimeLimit | None) -> str:
    return f"{row.accept_hours}h/{row.resolve_hours}h" if row else ""


@transaction.atomic
def time_limit_set(
    *, actor, level: str, accept_hours: int, resolve_hours: int, category: Category | None = None
) -> TimeLimit:
    """Set how long ``level`` has to accept and to resolve a wish: for one category,
    or the default for all categories without a limit of their own (``category=None``).

    The event goes to the category's time line, or to the default row's own.
    """
    require_configure(actor)
    level = _validate_level(level)
    accept_hours, resolve_hours = _validate_hours(accept_hours, resolve_hours)
    if category is not None:
        # Serialises writers of this category's limits, so the upsert below cannot race.
        category = Category.objects.select_for_update().get(pk=category.pk)
    lookup = {"category": category, "level": level} if category else {"category__isnull": True, "level": level}
    row = TimeLimit.objects.select_for_update().filter(**lookup).first()
    old_text = _limits_text(row)
    if row is None:
        try:
            with transaction.atomic():
                row = TimeLimit.objects.create(
                    category=category, level=level, accept_hours=accept_hours,
                    resolve_hours=resolve_hours,
                )
        except IntegrityError:
            # Another administrator created the default row at the same moment.
            row = TimeLimit.objects.select_for_update().get(**lookup)
            old_text = _limits_text(row)
    if (row.accept_hours, row.resolve_hours) != (accept_hours, resolve_hours):
        row.accept_hours, row.resolve_hours = accept_hours, resolve_hours
        row.save(update_fields=["accept_hours", "resolve_hours"])
    elif old_text:
        return row  # nothing changed, nothing to record
    record_event(
        obj=category if category is not None else row, actor=actor, action="time_limit_set",
        from_state=old_text, to_state=_limits_text(row), note=str(Level(level).label),
    )
    return row


@transaction.atomic
def time_limit_clear(*, actor, category: Category, level: str) -> bool:
    """Drop a category's own limit for ``level``: the default applies again. The
    defaults themselves cannot be cleared. Returns False when there was none."""
    require_configure(actor)
    level = _validate_level(level)
    category = Category.objects.select_for_update().get(pk=category.pk)
    row = TimeLimit.objects.select_for_update().filter(category=category, level=level).first()
    if row is None:
        return False
    old_text = _limits_text(row)
    row.delete()
    record_event(
        obj=category, actor=actor, action="time_limit_cleared", from_state=old_text,
        note=str(Level(level).label),
    )
    return True


__all__ = ["can_configure", "category_update", "require_configure", "time_limit_clear", "time_limit_set"]
