"""Party-organisation trees. The names of the four levels differ by place, so they
are data: a :class:`HierarchyScheme` names its levels and says what kind of unit an
organisation at each level covers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Area, AreaKind, Enterprise, Person
from governance.scoping import ScopedQuerySet
from governance.tree import PathNode, TreeQuerySet

MAX_LEVEL = 4


class CoveredKind(models.TextChoices):
    """What an organisation at a level covers: a kind of territory node, or an enterprise."""

    DISTRICT = AreaKind.DISTRICT.value, AreaKind.DISTRICT.label
    COUNTY = AreaKind.COUNTY.value, AreaKind.COUNTY.label
    STREET = AreaKind.STREET.value, AreaKind.STREET.label
    TOWN = AreaKind.TOWN.value, AreaKind.TOWN.label
    ZONE = AreaKind.ZONE.value, AreaKind.ZONE.label
    COMMUNITY = AreaKind.COMMUNITY.value, AreaKind.COMMUNITY.label
    GRID = AreaKind.GRID.value, AreaKind.GRID.label
    COMPOUND = AreaKind.COMPOUND.value, AreaKind.COMPOUND.label
    BUILDING = AreaKind.BUILDING.value, AreaKind.BUILDING.label
    ENTERPRISE = "enterprise", _("Enterprise (两新组织)")


class HierarchyScheme(models.Model):
    """A naming of the four party-organisation levels used in one place."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("hierarchy scheme")
        verbose_name_plural = _("hierarchy schemes")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def level(self, number: int) -> "SchemeLevel | None":
        for level in self.levels.all():
            if level.number == number:
                return level
        return None


class SchemeLevel(models.Model):
    """One of a scheme's four levels: its name and what its organisations cover."""

    scheme = models.ForeignKey(
        HierarchyScheme, on_delete=models.CASCADE, related_name="levels", verbose_name=_("scheme")
    )
    number = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=60)
    covers = models.CharField(_("covers"), max_length=16, choices=CoveredKind.choices)

    class Meta:
        verbose_name = _("scheme level")
        verbose_name_plural = _("scheme levels")
        ordering = ["scheme_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="schemelevel_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MAX_LEVEL), name="schemelevel_number_1_4"
            ),
            models.CheckConstraint(
                condition=Q(covers__in=CoveredKind.values), name="schemelevel_covers_valid"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class PartyOrgQuerySet(TreeQuerySet, ScopedQuerySet):
    # An organisation is anchored at the area it covers, or where its enterprise is registered.
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"

    def with_related(self):
        return self.select_related(
            "scheme", "area", "covered_area", "covered_enterprise", "parent"
        ).prefetch_related("scheme__levels")


class PartyOrganisation(PathNode):
    """A party organisation at one level of a scheme, covering one unit."""

    scheme = models.ForeignKey(
        HierarchyScheme, on_delete=models.PROTECT, related_name="organisations",
        verbose_name=_("scheme"),
    )
    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    covered_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("covered area"),
    )
    covered_enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("covered enterprise"),
    )
    # The covered area, or the area the covered enterprise is registered in: where
    # the organisation sits in the territory tree, for scoping and coverage.
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="anchored_party_orgs",
        verbose_name=_("territory"),
        editable=False,
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PartyOrgQuerySet.as_manager()

    class Meta(PathNode.Meta):
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=MAX_LEVEL), name="partyorg_level_1_4"
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="partyorg_parent_iff_below_level_1",
            ),
            models.CheckConstraint(
                condition=Q(covered_area__isnull=False, covered_enterprise__isnull=True)
                | Q(covered_area__isnull=True, covered_enterprise__isnull=False),
                name="partyorg_covers_one_unit",
            ),
            models.UniqueConstraint(
                fields=["covered_enterprise"],
                condition=Q(covered_enterprise__isnull=False),
                name="partyorg_one_per_enterprise",
            ),
        ]
        indexes = [
            models.Index(fields=["covered_area", "level"], name="partyorg_covered_area"),
        ]

    def __str__(self):
        return self.name

    @property
    def level_name(self) -> str:
        level = self.scheme.level(self.level)
        return level.name if level else str(self.level)

    @property
    def covered_unit(self):
        return self.covered_area or self.covered_enterprise


class PostRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    MEMBER = "member", _("Committee member")


class PostQuerySet(ScopedQuerySet):
    scope_path_lookup = "organisation__area__path"
    scope_area_lookup = "organisation__area_id"

    def current(self):
        return self.filter(ended_on__isnull=True)

    def secretaries(self):
        return self.filter(role=PostRole.SECRETARY)


class Post(models.Model):
    """A person's post in a party organisation, from appointment to its end.

    ``lives_in_unit`` marks a resident secretary (居民书记/邻里书记); ``is_community_cadre``
    marks a community cadre holding the post, the pattern that leaves organisations
    idling (空转) when one cadre holds several.
    """

    organisation = models.ForeignKey(
        PartyOrganisation, on_delete=models.CASCADE, related_name="posts",
        verbose_name=_("party organisation"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="party_posts", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=PostRole.choices)
    lives_in_unit = models.BooleanField(_("lives in the covered unit"), default=False)
    is_community_cadre = models.BooleanField(_("community cadre"), default=False)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organisation_id", "role", "started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=PostRole.values), name="post_role_valid"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="post_ends_after_start",
            ),
            # One sitting secretary per organisation; the database refuses a second.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role=PostRole.SECRETARY, ended_on__isnull=True),
                name="post_one_current_secretary",
            ),
            models.UniqueConstraint(
                fields=["organisation", "person", "role"],
                condition=Q(ended_on__isnull=True),
                name="post_no_duplicate_current",
            ),
        ]
        indexes = [models.Index(fields=["person", "role", "ended_on"], name="post_person_role")]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
