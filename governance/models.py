"""Cross-cutting records: who holds which staff role where, and the audit trail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class StaffRoleQuerySet(ScopedQuerySet):
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"


class RoleKind(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_STAFF = "street_staff", _("Street staff")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_SECRETARY = "grid_secretary", _("Grid secretary")
    COMPOUND_SECRETARY = "compound_secretary", _("Compound secretary")

    @property
    def can_edit(self) -> bool:
        return self in EDITING_ROLES

    @property
    def area_kinds(self) -> frozenset[str]:
        return ROLE_AREA_KINDS[self]


class StaffRole(models.Model):
    """A staff member's role on one territory node; it opens that node's subtree to them."""

    Role = RoleKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("user"),
    )
    area = models.ForeignKey(
        "communities.Area",
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("area"),
    )
    role = models.CharField(_("role"), max_length=32, choices=RoleKind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["user_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=RoleKind.values), name="staffrole_role_valid"
            ),
            models.UniqueConstraint(fields=["user", "area", "role"], name="staffrole_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area}"


EDITING_ROLES = frozenset(
    {
        RoleKind.DISTRICT_ADMIN,
        RoleKind.STREET_STAFF,
        RoleKind.COMMUNITY_STAFF,
    }
)

# Which kind of territory node each role is held on. Kept here, next to the roles,
# so that a new role (property company, paired unit) is one entry.
ROLE_AREA_KINDS = {
    RoleKind.DISTRICT_ADMIN: frozenset({"district", "county"}),
    RoleKind.STREET_STAFF: frozenset({"street", "town", "zone"}),
    RoleKind.COMMUNITY_STAFF: frozenset({"community", "grid"}),
    RoleKind.GRID_SECRETARY: frozenset({"grid"}),
    RoleKind.COMPOUND_SECRETARY: frozenset({"compound"}),
}


def _now():
    # Through governance.clock so that an event's time agrees with the times the
    # services write on the record (and tests can move both together).
    from . import clock

    return clock.now()


class AuditEvent(models.Model):
    """One change of state of any record: who, when, what from, what to, and why."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"), default=_now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=255, blank=True)
    to_state = models.CharField(_("to"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_record_at")]

    def __str__(self):
        return f"{self.action} {self.content_type_id}:{self.object_id}"


from .models_apikeys import ApiKey  # noqa: E402,F401  (a model of this app, kept in its own module)
