"""Reads about party organisations: coverage (覆盖率) and secretaries.

A compound counts as covered when a party organisation covers the compound itself
or the grid it sits in (Leshan's 网格小区党组织 serve a grid of several old
compounds). An enterprise counts as covered when a party organisation covers it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Exists, OuterRef, Q

from communities.models import Area, AreaKind, Enterprise

from .models import PartyOrganisation, Post, PostRole


@dataclass(frozen=True)
class Coverage:
    compounds: int = 0
    compounds_covered: int = 0
    enterprises: int = 0
    enterprises_covered: int = 0
    secretaries: int = 0
    resident_secretaries: int = 0
    cadre_secretaries: int = 0
    concurrent_secretaries: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def compound_rate(self) -> float | None:
        return self._rate(self.compounds_covered, self.compounds)

    @property
    def enterprise_rate(self) -> float | None:
        return self._rate(self.enterprises_covered, self.enterprises)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "compound_rate": self.compound_rate,
            "enterprise_rate": self.enterprise_rate,
        }


def _covered_compound():
    # Two EXISTS joined by OR rather than one EXISTS over an OR: each probe is then a
    # plain index lookup on covered_area (measured 37 ms instead of 161 ms over the
    # 20,000 compounds of a district in benchmarks/tree_bench.py).
    own = Exists(PartyOrganisation.objects.filter(covered_area=OuterRef("pk")))
    grid = Exists(
        PartyOrganisation.objects.filter(
            covered_area=OuterRef("parent"), covered_area__kind=AreaKind.GRID
        )
    )
    return own | grid


def _concurrent_secretary():
    """The person holds another current secretary post besides this one."""
    return Exists(
        Post.objects.current()
        .secretaries()
        .filter(person=OuterRef("person"))
        .exclude(pk=OuterRef("pk"))
    )


def coverage_for(nodes: list[Area]) -> dict[int, Coverage]:
    """Coverage of each node's subtree, in three queries whatever the number of nodes."""
    if not nodes:
        return {}
    prefix = _common_prefix([n.path for n in nodes])

    def counts(qs, path_lookup, **extra):
        aggregates = {}
        for node in nodes:
            inside = Q(**{f"{path_lookup}__startswith": node.path})
            aggregates[f"n{node.pk}"] = Count("pk", filter=inside)
            for name, condition in extra.items():
                if isinstance(condition, tuple):  # (condition, distinct field)
                    condition, field = condition
                    aggregates[f"{name}{node.pk}"] = Count(field, filter=inside & condition, distinct=True)
                else:
                    aggregates[f"{name}{node.pk}"] = Count("pk", filter=inside & condition)
        return qs.aggregate(**aggregates)

    compounds = Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=prefix).annotate(
        covered=_covered_compound()
    )
    compound_counts = counts(compounds, "path", c=Q(covered=True))

    enterprises = Enterprise.objects.filter(area__path__startswith=prefix).annotate(
        covered=Exists(PartyOrganisation.objects.filter(covered_enterprise=OuterRef("pk")))
    )
    enterprise_counts = counts(enterprises, "area__path", c=Q(covered=True))

    secretaries = (
        Post.objects.current()
        .secretaries()
        .filter(organisation__area__path__startswith=prefix)
        .annotate(concurrent=_concurrent_secretary())
    )
    secretary_counts = counts(
        secretaries,
        "organisation__area__path",
        r=Q(lives_in_unit=True),
        k=Q(is_community_cadre=True),
        m=(Q(concurrent=True), "person"),
    )

    result = {}
    for node in nodes:
        key = node.pk
        result[key] = Coverage(
            compounds=compound_counts[f"n{key}"],
            compounds_covered=compound_counts[f"c{key}"],
            enterprises=enterprise_counts[f"n{key}"],
            enterprises_covered=enterprise_counts[f"c{key}"],
            secretaries=secretary_counts[f"n{key}"],
            resident_secretaries=secretary_counts[f"r{key}"],
            cadre_secretaries=secretary_counts[f"k{key}"],
            concurrent_secretaries=secretary_counts[f"m{key}"],
        )
    return result


def area_coverage(area: Area) -> Coverage:
    return coverage_for([area])[area.pk]


def uncovered_compounds(area: Area):
    return (
        Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=area.path)
        .annotate(covered=_covered_compound())
        .filter(covered=False)
        .select_related("parent")
        .order_by("path")
    )


def concurrent_secretary_posts(area: Area):
    """Current secretary posts under ``area`` whose holder is secretary elsewhere too."""
    return (
        Post.objects.current()
        .filter(role=PostRole.SECRETARY, organisation__area__path__startswith=area.path)
        .annotate(concurrent=_concurrent_secretary())
        .filter(concurrent=True)
        .select_related("person", "organisation")
        .order_by("person__name", "organisation__name")
    )


def _common_prefix(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    prefix = first[:i]
    return prefix[: prefix.rfind("/") + 1] or "/"
