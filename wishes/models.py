"""Micro-wishes (微心愿): a resident's small request, from the order placed (群众点单)
through the community (社区接单), the street (街道接单) and its service centre (中心结单)
to the resident's rating.

State lives on :class:`Wish`; every change goes through ``wishes.services`` which
locks the row, checks the transition, moves the stage clock and writes an audit event.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Area
from governance.scoping import ScopedQuerySet


class Level(models.TextChoices):
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    CENTRE = "centre", _("Service centre")


LEVEL_ORDER = [Level.COMMUNITY, Level.STREET, Level.CENTRE]


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # 群众点单: waiting for the community
    ACCEPTED = "accepted", _("Accepted by the community")  # 社区接单
    STREET = "street", _("With the street")  # 街道接单
    CENTRE = "centre", _("With the service centre")  # 中心
    RESOLVED = "resolved", _("Resolved")  # 结单, waiting for the rating
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.STREET, Status.CENTRE)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN)
STATUS_FOR_LEVEL = {
    Level.COMMUNITY: Status.ACCEPTED,
    Level.STREET: Status.STREET,
    Level.CENTRE: Status.CENTRE,
}


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    MAILBOX = "mailbox", _("Mailbox (信箱)")
    OFFICE_DAY = "office_day", _("Community office day (社区办公日)")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("Other system (API)")


class RequesterType(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    MERCHANT = "merchant", _("Merchant")
    ENTERPRISE = "enterprise", _("Enterprise")


class ClaimerKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    PAIRED_UNIT = "paired_unit", _("Paired unit (双报到单位)")
    CARING_MERCHANT = "caring_merchant", _("Caring merchant")


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another wish")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    NOT_FEASIBLE = "not_feasible", _("Cannot be done")
    OTHER = "other", _("Other")


class Rating(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neutral")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


def _now():
    from governance import clock

    return clock.now()


class Category(models.Model):
    """A kind of wish (a broken light, accessibility, tutoring...). Also the Open311 service."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    escalate_when_overdue = models.BooleanField(
        _("escalate when overdue"),
        default=False,
        help_text=_("Hand an overdue wish to the next level automatically."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("wish category")
        verbose_name_plural = _("wish categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class TimeLimit(models.Model):
    """How long a level has to accept and to resolve a wish; per category, or the
    default for all categories when ``category`` is empty."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="time_limits",
        verbose_name=_("category"),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    accept_hours = models.PositiveIntegerField(_("accept within (hours)"))
    resolve_hours = models.PositiveIntegerField(_("resolve within (hours)"))

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["category_id", "level"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=Level.values), name="timelimit_level_valid"),
            models.CheckConstraint(
                condition=Q(accept_hours__gt=0, resolve_hours__gt=0), name="timelimit_positive"
            ),
            models.UniqueConstraint(fields=["category", "level"], name="timelimit_unique"),
            models.UniqueConstraint(
                fields=["level"], condition=Q(category__isnull=True), name="timelimit_one_default"
            ),
        ]

    def __str__(self):
        # Not inside the f-string: xgettext does not see calls there.
        category = self.category or _("default")
        return f"{category} · {self.get_level_display()}"


class WishQuerySet(ScopedQuerySet):
    # A wish is anchored at the compound it concerns.
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def public(self):
        """What may appear on public boards: not rejected, not withdrawn."""
        return self.exclude(status__in=[Status.REJECTED, Status.WITHDRAWN])


class Wish(models.Model):
    """One micro-wish. ``stage`` counts the stages it has been through (waiting for the
    community, handled by a level, ...); each stage has a start and a due time."""

    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    compound = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("compound")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"),
        help_text=_("The community (or grid) that handles the wish at community level."),
    )
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street"),
        help_text=_("The street, town or zone above the community."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=60)
    description = models.TextField(_("description"), max_length=2000)
    photo = models.FileField(_("photo"), upload_to="wishes/%Y/%m/", blank=True)

    requester_type = models.CharField(
        _("requester type"), max_length=12, choices=RequesterType.choices,
        default=RequesterType.RESIDENT,
    )
    requester_name = models.CharField(_("requester name"), max_length=40)
    requester_phone = models.CharField(_("requester mobile"), max_length=11)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.COMMUNITY)
    stage = models.PositiveIntegerField(_("stage"), default=1)
    stage_started_at = models.DateTimeField(_("stage started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # Pending sweep work for the current stage: the time the "due soon" reminder and
    # the overdue notice fall due. The sweep claims each by setting it to NULL in a
    # conditional UPDATE, so it is sent once, and the partial indexes below hold only
    # pending work however many wishes there are.
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(_("overdue notice at"), null=True, blank=True, editable=False)

    claimer_kind = models.CharField(_("claimed by (kind)"), max_length=16, choices=ClaimerKind.choices, blank=True)
    claimer_name = models.CharField(_("claimed by"), max_length=60, blank=True)
    claimer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("claim recorded by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_late = models.BooleanField(_("accepted late"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_level = models.CharField(_("resolved at level"), max_length=12, choices=Level.choices, blank=True)
    resolution_note = models.TextField(_("resolution"), max_length=2000, blank=True)
    resolution_photo = models.FileField(_("resolution photo"), upload_to="wishes/%Y/%m/", blank=True)
    reject_reason = models.CharField(_("reject reason"), max_length=16, choices=RejectReason.choices, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices, null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    was_overdue = models.BooleanField(_("was overdue"), default=False)

    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="wish_status_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="wish_level_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="wish_channel_valid"),
            models.CheckConstraint(
                condition=Q(requester_type__in=RequesterType.values), name="wish_requester_valid"
            ),
            models.CheckConstraint(
                condition=Q(claimer_kind="") | Q(claimer_kind__in=ClaimerKind.values),
                name="wish_claimer_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(reject_reason="") | Q(reject_reason__in=RejectReason.values),
                name="wish_reject_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="wish_rating_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=OPEN_STATUSES) | Q(due_at__isnull=False),
                name="wish_open_has_due",
            ),
        ]
        indexes = [
            # The sweep walks open wishes by reminder and due time; both partial
            # indexes stay small because closed wishes leave them.
            models.Index(
                fields=["remind_at"], name="wish_pending_reminder",
                condition=Q(remind_at__isnull=False),
            ),
            models.Index(
                fields=["overdue_at"], name="wish_pending_overdue",
                condition=Q(overdue_at__isnull=False),
            ),
            models.Index(fields=["resolved_at"], name="wish_resolved_at", condition=Q(status="resolved")),
            # Scope filters reach wishes through the compound (compound__path): these
            # let the planner walk a subtree's compounds instead of a bitmap per
            # compound (street inbox 416 → 51 ms, street stats 1.5 s → 44 ms over
            # 1M wishes, benchmarks/wish_bench.py).
            models.Index(
                fields=["compound", "status"], name="wish_open_by_compound",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["compound", "created_at"], name="wish_compound_created"),
            models.Index(fields=["community", "status", "due_at"], name="wish_community_status"),
            models.Index(fields=["street", "created_at"], name="wish_street_created"),
            models.Index(fields=["status", "due_at"], name="wish_status_due"),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def handling_area(self) -> Area:
        return self.community if self.level == Level.COMMUNITY else self.street


class Notification(models.Model):
    """An in-portal notice to a staff member (also the outbox for e-mail)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New wish")
        REMINDER = "reminder", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated")
        REOPENED = "reopened", _("Reopened")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("wish"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    stage = models.PositiveIntegerField(_("stage"))
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=_now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["new", "reminder", "overdue", "escalated", "reopened"]),
                name="notification_kind_valid",
            ),
            # The last line of defence for "exactly once": one notice of a kind per
            # recipient per stage of a wish.
            models.UniqueConstraint(fields=["recipient", "wish", "stage", "kind"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message


class ResidentMessage(models.Model):
    """A text message to the requester. The unique key makes sending idempotent: a
    task run twice finds the row and its ``sent_at`` and sends nothing."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="messages", verbose_name=_("wish"))
    stage = models.PositiveIntegerField(_("stage"))
    kind = models.CharField(_("kind"), max_length=12)
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to resident")
        verbose_name_plural = _("messages to residents")
        constraints = [
            models.UniqueConstraint(fields=["wish", "stage", "kind"], name="residentmessage_once"),
        ]

    def __str__(self):
        return f"{self.wish_id}/{self.stage}/{self.kind}"
