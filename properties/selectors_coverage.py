"""Reads for the overview of property services: 三覆盖 (each residential compound
covered by a party organisation, an owners' or self-management committee and a
property service), the counts of cross-appointments (双向进入、交叉任职) per node, and
the small figures of the /properties/ home page.

三覆盖 of one compound:

* **party organisation** — exactly the rule of ``partyorgs.selectors`` (the
  party-organisation coverage of the territory pages): a party organisation covers
  the compound itself, or covers the grid the compound sits in (Leshan's 网格小区党组织
  serve a grid of several old compounds). An organisation covering the community or
  the street above does not count;
* **committee** — an active committee (not dissolved) lists the compound among the
  compounds it serves;
* **property service** — the compound has a current service mode (any of the eight
  modes: a company, or one of the five ways without a company).

Figures about a whole subtree are for areas inside the caller's read scope
(:func:`governance.web.mixins.in_read_scope`); the API and the pages answer 404 for
others, as they do for an area the caller cannot see. Inside such an area every
compound, committee and service mode is visible to the caller, so the figures are
counted over the subtree as a whole.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from django.http import Http404

from communities.models import Area, AreaKind
from governance.models import StaffRole
from governance.scoping import scope_for
from governance.web.mixins import get_visible_or_404, in_read_scope
from partyorgs.selectors import _covered_compound

from .access import company_ids_for
from .models import (
    COMPANY_MODES,
    Committee,
    CrossAppointment,
    CrossAppointmentKind,
    DecisionReport,
    DecisionStatus,
    Dispute,
    PropertyCompany,
    RatingPeriod,
    ServiceMode,
    ServiceModeKind,
)
from .selectors_committees import reelection_counts, share_percent
from .selectors_ratings import half_bounds

#: Compounds shown in each "missing" list (the count says how many there are).
MISSING_LIMIT = 200
#: Areas whose roll-up lists their compounds one by one.
COMPOUND_ROW_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.COMPOUND})
THREE = ("party_org", "committee", "service")


# --- the three flags ----------------------------------------------------------------------


def with_three_flags(qs):
    """Annotate compounds with ``has_party_org``, ``has_committee``, ``has_service``."""
    return qs.annotate(
        has_party_org=_covered_compound(),
        has_committee=Exists(
            Committee.compounds.through.objects.filter(area_id=OuterRef("pk"), committee__dissolved_on__isnull=True)
        ),
        has_service=Exists(ServiceMode.objects.filter(compound_id=OuterRef("pk"), ended_on__isnull=True)),
    )


def compounds_under(area: Area):
    return Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=area.path)


def community_of(compound: Area) -> Area | None:
    """The community a compound belongs to (its parent, or its grid's parent), or the
    grid in a park without communities. Needs ``parent__parent`` loaded."""
    parent = compound.parent
    if parent is None or parent.kind == AreaKind.COMMUNITY:
        return parent
    grand = parent.parent
    return grand if grand is not None and grand.kind == AreaKind.COMMUNITY else parent


def _aggregates() -> dict:
    yes = {name: Q(**{f"has_{name}": True}) for name in THREE}
    return {
        "compounds": Count("pk"),
        "with_party_org": Count("pk", filter=yes["party_org"]),
        "with_committee": Count("pk", filter=yes["committee"]),
        "with_service": Count("pk", filter=yes["service"]),
        "all_three": Count("pk", filter=yes["party_org"] & yes["committee"] & yes["service"]),
    }


@dataclass
class CoverageRow:
    """三覆盖 figures of one node's subtree (or one compound)."""

    area: Area | None = None
    compounds: int = 0
    with_party_org: int = 0
    with_committee: int = 0
    with_service: int = 0
    all_three: int = 0
    #: for a row that is a compound: its community
    community: Area | None = None

    @property
    def party_org_share(self) -> Decimal | None:
        return share_percent(self.with_party_org, self.compounds)

    @property
    def committee_share(self) -> Decimal | None:
        return share_percent(self.with_committee, self.compounds)

    @property
    def service_share(self) -> Decimal | None:
        return share_percent(self.with_service, self.compounds)

    @property
    def all_three_share(self) -> Decimal | None:
        return share_percent(self.all_three, self.compounds)

    def add(self, other: CoverageRow) -> None:
        for name in ("compounds", "with_party_org", "with_committee", "with_service", "all_three"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @classmethod
    def of_compound(cls, compound: Area) -> CoverageRow:
        flags = [compound.has_party_org, compound.has_committee, compound.has_service]
        return cls(area=compound, compounds=1, with_party_org=int(flags[0]), with_committee=int(flags[1]),
                   with_service=int(flags[2]), all_three=int(all(flags)), community=community_of(compound))

    def figures(self) -> dict:
        def pct(value):
            return float(value) if value is not None else None

        return {
            "compounds": self.compounds, "with_party_org": self.with_party_org,
            "with_committee": self.with_committee, "with_service": self.with_service, "all_three": self.all_three,
            "party_org_share": pct(self.party_org_share), "committee_share": pct(self.committee_share),
            "service_share": pct(self.service_share), "all_three_share": pct(self.all_three_share),
        }


@dataclass
class MissingList:
    """Compounds missing one of the three: how many, and the first ``MISSING_LIMIT``."""

    count: int = 0
    compounds: list[Area] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.compounds)


@dataclass
class ThreeCoverage:
    area: Area
    totals: CoverageRow
    #: per child node (district, street...) or, under a community or grid, per compound
    rows: list[CoverageRow]
    rows_are_compounds: bool
    missing: dict[str, MissingList]

    @property
    def missing_party_org(self) -> MissingList:
        return self.missing["party_org"]

    @property
    def missing_committee(self) -> MissingList:
        return self.missing["committee"]

    @property
    def missing_service(self) -> MissingList:
        return self.missing["service"]


def _child_key(area: Area, path_field: str = "path", anchor_field: str = "pk"):
    """The id (as text) of the child of ``area`` on the way to the row's node; ``""``
    for a row anchored at ``area`` itself."""
    start = len(area.path) + 1
    rest = Substr(path_field, start)
    return Case(
        When(**{anchor_field: area.pk}, then=Value("")),
        default=Substr(path_field, start, StrIndex(rest, Value("/")) - 1),
        output_field=CharField(),
    )


def three_coverage(user, area: Area, *, limit: int = MISSING_LIMIT) -> ThreeCoverage:
    """三覆盖 of the compounds under ``area``: totals, a row per child node (per compound
    under a community, a grid or a compound), and the compounds missing each of the
    three (the first ``limit`` of each, ordered by place in the tree).

    At most six queries whatever the number of compounds. ``area`` must lie inside
    the user's read scope (else :class:`~django.http.Http404`, as
    :func:`coverage_area_or_404` answers)."""
    if not in_read_scope(user, area):
        raise Http404
    compounds = with_three_flags(compounds_under(area))
    totals = CoverageRow(area=area)
    missing = {name: MissingList() for name in THREE}
    if area.kind in COMPOUND_ROW_KINDS:
        rows = [
            CoverageRow.of_compound(c)
            for c in compounds.select_related("parent__parent").order_by("path")
        ]
        for row in rows:
            row.area.community = row.community
            totals.add(row)
            for name in THREE:
                if not getattr(row.area, f"has_{name}"):
                    missing[name].count += 1
                    if len(missing[name].compounds) < limit:
                        missing[name].compounds.append(row.area)
        rows.sort(key=lambda r: (r.area.name, r.area.pk))
        return ThreeCoverage(area=area, totals=totals, rows=rows, rows_are_compounds=True, missing=missing)

    children = list(
        Area.objects.filter(parent=area).exclude(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING]).order_by("name", "pk")
    )
    by_id = {child.pk: CoverageRow(area=child) for child in children}
    grouped = (
        compounds.annotate(child_key=_child_key(area)).order_by().values("child_key").annotate(**_aggregates())
    )
    for row in grouped:
        figures = CoverageRow(**{k: v for k, v in row.items() if k != "child_key"})
        totals.add(figures)
        target = by_id.get(int(row["child_key"])) if row["child_key"] else None
        if target is not None:
            target.add(figures)
    for name in THREE:
        missing[name].count = totals.compounds - getattr(totals, f"with_{name}")
        if missing[name].count:
            missing[name].compounds = list(
                compounds.filter(**{f"has_{name}": False}).select_related("parent__parent").order_by("path")[:limit]
            )
    for items in missing.values():
        for compound in items.compounds:
            compound.community = community_of(compound)
    return ThreeCoverage(area=area, totals=totals, rows=list(by_id.values()), rows_are_compounds=False,
                         missing=missing)


def three_coverage_totals(area: Area) -> CoverageRow:
    """Only the totals of :func:`three_coverage` (one query)."""
    figures = with_three_flags(compounds_under(area)).aggregate(**_aggregates())
    return CoverageRow(area=area, **figures)


def coverage_area_or_404(user, pk) -> Area:
    """The area ``pk`` if the user sees it and it lies inside their read scope (not
    merely a context node above it); 404 otherwise, as for an area they cannot see."""
    area = get_visible_or_404(Area, user, pk)
    if not in_read_scope(user, area):
        raise Http404
    return area


def top_area(user) -> Area | None:
    """The user's topmost role area (a superuser without roles: the first root)."""
    role = (
        StaffRole.objects.filter(user=user).select_related("area")
        .order_by("area__depth", "area__path", "pk").first()
    )
    if role is not None:
        return role.area
    if scope_for(user).sees_all:
        return Area.objects.filter(parent__isnull=True).order_by("path").first()
    return None


# --- cross-appointments per node ------------------------------------------------------------


@dataclass
class AppointmentCountRow:
    area: Area | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cadre_on_committee(self) -> int:
        return self.counts.get(CrossAppointmentKind.CADRE_ON_COMMITTEE, 0)

    @property
    def company_member_on_party_committee(self) -> int:
        return self.counts.get(CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, n: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def as_dict(self) -> dict[str, int]:
        return {kind: self.counts.get(kind, 0) for kind in CrossAppointmentKind.values} | {"total": self.total}


@dataclass
class AppointmentCounts:
    area: Area
    totals: AppointmentCountRow
    #: appointments anchored at ``area`` itself (e.g. when it is a community)
    own: AppointmentCountRow
    children: list[AppointmentCountRow]


def cross_appointment_counts(user, area: Area) -> AppointmentCounts:
    """Current cross-appointments under ``area`` by kind: in total, anchored at the
    area itself, and per child node. Only appointments ``user`` sees count. Two
    queries whatever the number of children."""
    children = list(
        Area.objects.filter(parent=area).exclude(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING])
        .visible_to(user).order_by("name", "pk")
    )
    by_id = {child.pk: AppointmentCountRow(area=child) for child in children}
    result = AppointmentCounts(area=area, totals=AppointmentCountRow(area=area), own=AppointmentCountRow(area=area),
                               children=list(by_id.values()))
    rows = (
        CrossAppointment.objects.visible_to(user).current().filter(community__path__startswith=area.path)
        .annotate(child_key=_child_key(area, "community__path", "community_id"))
        .order_by().values("child_key", "kind").annotate(n=Count("pk"))
    )
    for row in rows:
        result.totals.add(row["kind"], row["n"])
        target = by_id.get(int(row["child_key"])) if row["child_key"] else result.own
        if target is not None:
            target.add(row["kind"], row["n"])
    return result


# --- the home page ----------------------------------------------------------------------------


@dataclass
class Dashboard:
    today: datetime.date
    area: Area | None
    companies: int
    own_companies: list[PropertyCompany]
    #: current service modes by kind: [(kind, label, count)]
    modes: list[tuple[str, str, int]]
    with_company: int
    without_company: int
    coverage: CoverageRow | None
    reelection: dict[str, int]
    pending_reports: int
    period: RatingPeriod | None
    disputes_this_half: int
    half: tuple[int, int]

    @property
    def unserved(self) -> int | None:
        """Compounds under ``area`` with no current service mode at all."""
        if self.coverage is None:
            return None
        return self.coverage.compounds - self.coverage.with_service


def dashboard(user, today: datetime.date) -> Dashboard:
    """The figures of the /properties/ home page, each one query, over what ``user``
    sees (a company's staff: their company and what it serves)."""
    area = top_area(user)
    mode_counts = dict(
        ServiceMode.objects.visible_to(user).current().order_by().values_list("kind").annotate(n=Count("pk"))
    )
    modes = [(kind, label, mode_counts.get(kind, 0)) for kind, label in ServiceModeKind.choices]
    company_kinds = {str(k) for k in COMPANY_MODES}
    year, half = today.year, 1 if today.month <= 6 else 2
    start, end = half_bounds(year, half)
    own = company_ids_for(user)
    return Dashboard(
        today=today,
        area=area,
        companies=PropertyCompany.objects.visible_to(user).count(),
        own_companies=list(PropertyCompany.objects.filter(pk__in=own).order_by("name", "pk")) if own else [],
        modes=modes,
        with_company=sum(n for kind, _label, n in modes if kind in company_kinds),
        without_company=sum(n for kind, _label, n in modes if kind not in company_kinds),
        coverage=three_coverage_totals(area) if area is not None and in_read_scope(user, area) else None,
        reelection=reelection_counts(today, Committee.objects.visible_to(user)),
        pending_reports=DecisionReport.objects.visible_to(user).filter(status=DecisionStatus.FILED).count(),
        period=(
            RatingPeriod.objects.visible_to(user).select_related("district")
            .order_by("-year", "-half", "-pk").first()
        ),
        disputes_this_half=Dispute.objects.visible_to(user).filter(
            mediated_on__gte=start, mediated_on__lte=end).count(),
        half=(year, half),
    )
