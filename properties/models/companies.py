"""Property companies, their staff, how each compound is served, and the
cross-appointments (双向进入、交叉任职) between communities and companies."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.models import Area
from governance.validators import validate_uscc

from ..access import PropertyScopedQuerySet


class PropertyCompanyQuerySet(PropertyScopedQuerySet):
    """A company is anchored where it is registered (usually the district or a street).
    Staff whose subtree holds a compound the company serves also see it (read-only,
    unless the registration node is theirs), see :meth:`visible_to`."""

    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"
    company_lookup = "pk"

    def visible_to(self, user):
        base = super().visible_to(user)
        q = ServiceMode.objects.visibility_q(user)
        if q is None or base.query.is_empty():
            return base
        # Companies serving (now or before) a compound inside the user's subtrees.
        serving = ServiceMode.objects.filter(q, company__isnull=False).values("company_id")
        return self.filter(Q(pk__in=base.values("pk")) | Q(pk__in=serving))


class PropertyCompany(models.Model):
    """A property service company (物业企业) in the registry."""

    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="property_companies",
        verbose_name=_("registered with"),
        help_text=_("The district or street that keeps this company's record."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    enterprise = models.OneToOneField(
        "communities.Enterprise", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="property_company", verbose_name=_("enterprise record"),
        help_text=_("The company as a 两新组织 in the enterprise register, if recorded there."),
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="property_companies", verbose_name=_("party organisation"),
        help_text=_("The company's own party organisation (one covering the enterprise)."),
    )
    party_branch = models.ForeignKey(
        "partyorgs.PartyOrganisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="member_property_companies",
        verbose_name=_("property party general branch (物业党总支)"),
        help_text=_("The property party general branch the company belongs to."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PropertyCompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def has_party_org(self) -> bool:
        return bool(self.party_org_id or self.party_branch_id)


class CompanyStaff(models.Model):
    """A user who works for a property company: sees the company, the compounds it
    serves and its results, read-only (see :mod:`properties.access`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="property_companies",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.CASCADE, related_name="staff", verbose_name=_("company")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company staff member")
        verbose_name_plural = _("company staff")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="companystaff_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.company}"


class ServiceModeKind(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional property company")
    TRUST = "trust", _("Trust-model property service (信托制物业)")
    EMERGENCY = "emergency", _("Temporary emergency company (应急物业)")
    AGENCY = "agency", _("Agency (代理式)")
    AREA_WIDE = "area_wide", _("Area-wide property (大物业)")
    BUNDLED = "bundled", _("Bundled (捆绑式)")
    FALLBACK = "fallback", _("Fallback by the community (兜底性)")
    SELF_MANAGED = "self_managed", _("Self-managed (自治化)")


COMPANY_MODES = frozenset({ServiceModeKind.PROFESSIONAL, ServiceModeKind.TRUST, ServiceModeKind.EMERGENCY})
COMPANYLESS_MODES = frozenset(set(ServiceModeKind) - COMPANY_MODES)


class ServiceModeQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"
    company_lookup = "company_id"

    def current(self):
        return self.filter(ended_on__isnull=True)


class ServiceMode(models.Model):
    """How a compound is served, from ``started_on`` to ``ended_on`` (open: current).

    A company mode (professional, trust, emergency) is the company's service contract
    with the compound (``contract_ends_on`` is the agreed end; an emergency company
    must have one). A compound without a company has one of the five modes with the
    body responsible for it. A trust-model service records its three supervising
    parties (the street, a charity federation and the company) and its published
    accounts. The database keeps at most one current mode per compound; a change of
    mode ends the current row and starts a new one (``properties.services``).
    """

    Kind = ServiceModeKind

    compound = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="service_modes", verbose_name=_("compound")
    )
    kind = models.CharField(_("service mode"), max_length=16, choices=ServiceModeKind.choices)
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_modes", verbose_name=_("company"),
    )
    responsible_body = models.CharField(
        _("responsible body"), max_length=150, blank=True,
        help_text=_("Who answers for a compound without a company (the community, a nearby company...)."),
    )
    trust_street = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("supervising street"),
    )
    trust_charity = models.CharField(_("supervising charity federation"), max_length=150, blank=True)
    accounts_url = models.URLField(_("published accounts (link)"), blank=True)
    accounts_file = models.FileField(
        _("published accounts (file)"), upload_to="property-accounts/%Y/", blank=True
    )
    started_on = models.DateField(_("started on"))
    contract_ends_on = models.DateField(_("contract ends on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ServiceModeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service mode")
        verbose_name_plural = _("service modes")
        ordering = ["compound_id", "-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ServiceModeKind.values), name="servicemode_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(str(k) for k in COMPANY_MODES), company__isnull=False)
                | (~Q(kind__in=sorted(str(k) for k in COMPANY_MODES)) & ~Q(responsible_body="")),
                name="servicemode_company_or_responsible_body",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ServiceModeKind.EMERGENCY) | Q(contract_ends_on__isnull=False),
                name="servicemode_emergency_has_end",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="servicemode_ends_after_start",
            ),
            # Exactly one current mode per compound: the database refuses a second.
            models.UniqueConstraint(
                fields=["compound"], condition=Q(ended_on__isnull=True), name="servicemode_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "ended_on"], name="servicemode_company"),
        ]

    def __str__(self):
        return f"{self.compound} · {self.get_kind_display()}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class CrossAppointmentKind(models.TextChoices):
    CADRE_ON_COMMITTEE = "cadre_on_committee", _("Community cadre on an owners' committee")
    COMPANY_MEMBER_ON_PARTY_COMMITTEE = (
        "company_member_on_party_committee",
        _("Company party member on the community party committee"),
    )


class CrossAppointmentQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "community__path"
    scope_area_lookup = "community_id"
    company_lookup = "company_id"

    def current(self):
        return self.filter(ended_on__isnull=True)


class CrossAppointment(models.Model):
    """双向进入、交叉任职: a community cadre sitting on an owners' committee, or a property
    company's party member serving part-time on the community party committee.
    Anchored at the community, where they are counted."""

    Kind = CrossAppointmentKind

    kind = models.CharField(_("kind"), max_length=40, choices=CrossAppointmentKind.choices)
    person_name = models.CharField(_("name"), max_length=60)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="cross_appointments", verbose_name=_("community")
    )
    committee = models.ForeignKey(
        "properties.Committee", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cross_appointments", verbose_name=_("owners' committee"),
    )
    member = models.OneToOneField(
        "properties.CommitteeMember", on_delete=models.CASCADE, null=True, blank=True,
        related_name="cross_appointment", verbose_name=_("committee member"),
    )
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True,
        related_name="cross_appointments", verbose_name=_("company"),
    )
    party_org = models.ForeignKey(
        "partyorgs.PartyOrganisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="property_cross_appointments", verbose_name=_("party committee"),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CrossAppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("cross-appointment")
        verbose_name_plural = _("cross-appointments")
        ordering = ["community_id", "kind", "person_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CrossAppointmentKind.values), name="crossappt_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=CrossAppointmentKind.CADRE_ON_COMMITTEE, committee__isnull=False)
                | Q(
                    kind=CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE,
                    company__isnull=False, party_org__isnull=False,
                ),
                name="crossappt_parties_present",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="crossappt_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.get_kind_display()}"
