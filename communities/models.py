"""The territory tree (district → street → community/grid → compound → building),
enterprises registered in it, and the people who hold posts."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.scoping import ScopedQuerySet
from governance.tree import PathNode, TreeQuerySet
from governance.validators import validate_uscc


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    ZONE = "zone", _("Development zone")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Residential compound")
    BUILDING = "building", _("Building")


ROOT_KINDS = frozenset({AreaKind.DISTRICT, AreaKind.COUNTY})
STREET_KINDS = frozenset({AreaKind.STREET, AreaKind.TOWN, AreaKind.ZONE})

# Which kind of node each kind may hang under. A grid belongs to a park (zone) or
# subdivides a street or a community; a compound sits in a community or a grid.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    AreaKind.DISTRICT: frozenset(),
    AreaKind.COUNTY: frozenset(),
    AreaKind.STREET: frozenset(ROOT_KINDS),
    AreaKind.TOWN: frozenset(ROOT_KINDS),
    AreaKind.ZONE: frozenset(ROOT_KINDS),
    AreaKind.COMMUNITY: frozenset(STREET_KINDS),
    AreaKind.GRID: frozenset(STREET_KINDS | {AreaKind.COMMUNITY}),
    AreaKind.COMPOUND: frozenset({AreaKind.COMMUNITY, AreaKind.GRID}),
    AreaKind.BUILDING: frozenset({AreaKind.COMPOUND}),
}

ENTERPRISE_AREA_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.ZONE})


class AreaQuerySet(TreeQuerySet, ScopedQuerySet):
    scope_path_lookup = "path"
    scope_area_lookup = "pk"


class Area(PathNode):
    """A node of the territory tree: a district, a street, a community, a compound..."""

    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Unique code, e.g. the statistical division code or an internal code."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    is_old_compound = models.BooleanField(
        _("old compound (老旧小区)"), default=False, help_text=_("Compounds only.")
    )
    build_year = models.PositiveSmallIntegerField(
        _("build year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Compounds only."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta(PathNode.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AreaKind.values), name="area_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, kind__in=sorted(ROOT_KINDS))
                | Q(parent__isnull=False) & ~Q(kind__in=sorted(ROOT_KINDS)),
                name="area_root_iff_district",
            ),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.COMPOUND)
                | Q(is_old_compound=False, build_year__isnull=True),
                name="area_compound_fields_only_on_compounds",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="area_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | Q(longitude__gte=-180, longitude__lte=180),
                name="area_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "path"], name="area_kind_path"),
            models.Index(fields=["parent", "name"], name="area_parent_name"),
        ]

    def __str__(self):
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"


class EnterpriseKind(models.TextChoices):
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    PROPERTY_COMPANY = "property_company", _("Property company")
    OTHER = "other", _("Other")


class Enterprise(models.Model):
    """A 两新组织: a private firm or a social organisation registered in a grid or community."""

    Kind = EnterpriseKind

    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
    )
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("registered in"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EnterpriseKind.values),
                name="enterprise_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(ScopedQuerySet):
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"


class Person(models.Model):
    """Someone who holds a post: a resident party member, a community cadre...

    Only what the posts need is kept: a name, the area the person is registered
    with, and whether they are a party member. No phone or ID number.
    """

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("registered with"),
        help_text=_("The community, compound or building the person lives in or works for."),
    )
    is_party_member = models.BooleanField(_("party member"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name
