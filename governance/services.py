"""Granting and revoking staff roles."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .audit import record_event
from .models import RoleKind, StaffRole
from .scoping import forget_scope, require_change, scope_for


@transaction.atomic
def role_grant(*, actor, user, area, role: str) -> StaffRole:
    """Give ``user`` a role on ``area``. Granting it again changes nothing."""
    role = RoleKind(role)
    if role == RoleKind.DISTRICT_ADMIN and not scope_for(actor).sees_all:
        raise PermissionDenied(_("Only a superuser can appoint district administrators."))
    require_change(actor, area, message=_("You may not grant roles outside your scope."))
    if area.kind not in role.area_kinds:
        raise ValidationError({"area": _("A %(role)s role is held on a %(kinds)s, not on %(area)s.") % {
            "role": role.label, "kinds": "/".join(sorted(role.area_kinds)), "area": area.name,
        }})
    existing = StaffRole.objects.filter(user=user, area=area, role=role).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            granted = StaffRole.objects.create(user=user, area=area, role=role)
    except IntegrityError:  # granted by someone else a moment ago
        return StaffRole.objects.get(user=user, area=area, role=role)
    record_event(obj=granted, actor=actor, action="granted", to_state=f"{role}@{area.path}")
    forget_scope(user)
    return granted


@transaction.atomic
def role_revoke(*, actor, staff_role: StaffRole, note: str = "") -> None:
    staff_role = StaffRole.objects.select_for_update().select_related("area").filter(pk=staff_role.pk).first()
    if staff_role is None:
        return  # already revoked: nothing changes
    if staff_role.role == RoleKind.DISTRICT_ADMIN and not scope_for(actor).sees_all:
        raise PermissionDenied(_("Only a superuser can remove district administrators."))
    require_change(actor, staff_role.area, message=_("You may not revoke roles outside your scope."))
    record_event(
        obj=staff_role, actor=actor, action="revoked",
        from_state=f"{staff_role.role}@{staff_role.area.path}", note=note,
    )
    staff_role.delete()
    forget_scope(staff_role.user)
