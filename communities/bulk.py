"""Building trees in bulk: demo data, benchmarks and imports of thousands of nodes.

The services (:mod:`communities.services`, :mod:`partyorgs.services`) insert one node
at a time, with a scope check, row locks and an audit event each; that is right for
people at a keyboard and too slow for 100,000 rows. The functions here insert whole
generations with ``bulk_create`` instead and then write the paths, while checking the
same tree rules as the services:

* an area's parent kind fits (:data:`communities.models.ALLOWED_PARENT_KINDS`), only a
  compound carries compound fields, and every field is valid (``clean_fields``);
* a party organisation's level exists in its scheme, level 1 has no parent and any
  other level a parent one level up in the same scheme, the covered unit is of the
  kind the level names, and it lies inside what the parent covers;
* an enterprise has a valid credit code and is registered in a community, grid or zone.

The database constraints (unique codes and paths, one current secretary...) still
apply. No scope checks and no audit events: callers are trusted scripts.

How paths are written: a generation (all nodes of one depth) is inserted with a
temporary, unique path; ``bulk_create`` returns the ids (PostgreSQL, and SQLite ≥ 3.35;
for other backends the ids are read back by the temporary paths); then each path is
computed with :func:`governance.tree.child_path`, as ``tree_insert`` does, written by
one set-based UPDATE per generation (parent's path, id, slash) and checked against
the computed ones.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from governance.tree import PATH_MAX_LENGTH, PathNode, child_path

from .models import ENTERPRISE_AREA_KINDS, Area, AreaKind, Enterprise
from .services import check_parent_fits

BATCH_SIZE = 2000


def _node_depth(node: PathNode, memo: dict[int, int]) -> int:
    """Depth of a node whose ancestors may themselves be unsaved nodes of the batch."""
    key = id(node)
    if key in memo:
        return memo[key]
    parent = node.parent
    if parent is None:
        depth = 1
    elif parent.pk is not None and parent.depth:
        depth = parent.depth + 1
    else:
        depth = _node_depth(parent, memo) + 1
    memo[key] = depth
    return depth


def insert_nodes(model: type[PathNode], nodes: Sequence[PathNode], *, batch_size: int = BATCH_SIZE) -> int:
    """Insert new ``nodes`` (unsaved instances of ``model`` with ``parent`` set).

    A parent may be a saved node (its ``path`` and ``depth`` are used) or another node
    of ``nodes``: generations are inserted parents first. Returns the number inserted;
    the instances come back with ``pk``, ``path`` and ``depth`` set.
    """
    memo: dict[int, int] = {}
    generations: dict[int, list[PathNode]] = defaultdict(list)
    for node in nodes:
        if node.pk is not None:
            raise ValueError(f"{node!r} is already saved")
        generations[_node_depth(node, memo)].append(node)

    with transaction.atomic():
        for depth in sorted(generations):
            _insert_generation(model, generations[depth], depth, batch_size)
    return len(nodes)


def _insert_generation(model, nodes: list[PathNode], depth: int, batch_size: int) -> None:
    token = uuid.uuid4().hex
    temporary = f"/new-{token}-"
    for i, node in enumerate(nodes):
        if node.parent is not None and (node.parent.pk is None or not node.parent.path):
            raise ValueError(f"the parent of {node!r} is not saved")
        node.depth = depth
        node.path = f"{temporary}{i}/"
    model.objects.bulk_create(nodes, batch_size=batch_size)
    if any(node.pk is None for node in nodes):  # a backend that cannot return ids
        ids = dict(model.objects.filter(path__startswith=temporary).values_list("path", "pk"))
        for node in nodes:
            node.pk = ids[node.path]
    for node in nodes:
        node.path = child_path(node.parent.path if node.parent is not None else None, node.pk)
        if len(node.path) > PATH_MAX_LENGTH:
            raise ValueError("tree too deep for the path column")
    # One set-based UPDATE writes every path of the generation: the parent's path, the
    # id, a slash. (bulk_update's CASE WHEN per row is ten times slower at 80k rows.)
    parent_path = Subquery(model.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    written = model.objects.filter(path__startswith=temporary).update(
        path=Concat(
            Coalesce(parent_path, Value("/")), Cast("pk", CharField()), Value("/"),
            output_field=CharField(),
        )
    )
    # ...and must agree with child_path, the one definition of a path.
    ids = [node.pk for node in nodes]
    stored = dict(
        model.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).values_list("pk", "path")
    )
    if written != len(nodes) or any(stored.get(node.pk) != node.path for node in nodes):
        raise AssertionError("bulk path update disagrees with child_path")


# --- Territory -------------------------------------------------------------------


def validate_area(area: Area) -> None:
    """The checks of ``communities.services._validate`` that need no query."""
    if area.kind != AreaKind.COMPOUND and (area.is_old_compound or area.build_year is not None):
        raise ValidationError(
            {"is_old_compound": f"{area.code}: only a residential compound has compound fields."}
        )
    check_parent_fits(area.kind, area.parent)
    area.clean_fields(exclude=["path", "depth", "parent"])


def insert_areas(areas: Sequence[Area], *, validate: bool = True, batch_size: int = BATCH_SIZE) -> int:
    if validate:
        for area in areas:
            try:
                validate_area(area)
            except ValidationError as exc:
                raise ValidationError(f"{area.code} {area.name}: {exc}") from exc
    return insert_nodes(Area, areas, batch_size=batch_size)


def validate_enterprise(enterprise: Enterprise) -> None:
    enterprise.clean_fields(exclude=["area"])  # runs validate_uscc; no FK query
    if enterprise.area.kind not in ENTERPRISE_AREA_KINDS:
        raise ValidationError(
            {"area": f"{enterprise.name}: an enterprise is registered in a community, grid or zone."}
        )


def insert_enterprises(
    enterprises: Sequence[Enterprise], *, validate: bool = True, batch_size: int = BATCH_SIZE
) -> int:
    if validate:
        for enterprise in enterprises:
            enterprise.credit_code = enterprise.credit_code.strip().upper()
            validate_enterprise(enterprise)
    Enterprise.objects.bulk_create(enterprises, batch_size=batch_size)
    return len(enterprises)


def insert_people(people: Sequence, *, validate: bool = True, batch_size: int = BATCH_SIZE) -> int:
    from .models import Person

    if validate:
        for person in people:
            person.clean_fields(exclude=["area"])
    Person.objects.bulk_create(people, batch_size=batch_size)
    return len(people)


# --- Party organisations -----------------------------------------------------------


def _scheme_levels(orgs: Iterable) -> dict[tuple[int, int], object]:
    from partyorgs.models import SchemeLevel

    scheme_ids = {org.scheme_id for org in orgs}
    return {
        (level.scheme_id, level.number): level
        for level in SchemeLevel.objects.filter(scheme_id__in=scheme_ids)
    }


def validate_party_org(org, levels: dict) -> None:
    """The rules of ``partyorgs.services._validate_org``, on in-memory instances.

    Sets ``org.area`` to the anchor (the covered area, or the enterprise's area).
    """
    from partyorgs.models import CoveredKind

    level = levels.get((org.scheme_id, org.level))
    if level is None:
        raise ValidationError({"level": f"{org.name}: the scheme has no level {org.level}."})
    parent = org.parent
    if org.level == 1:
        if parent is not None:
            raise ValidationError({"parent": f"{org.name}: a level-1 organisation has no parent."})
    elif parent is None or parent.scheme_id != org.scheme_id or parent.level != org.level - 1:
        raise ValidationError(
            {"parent": f"{org.name}: needs a parent at level {org.level - 1} of the same scheme."}
        )
    if (org.covered_area is None) == (org.covered_enterprise is None):
        raise ValidationError(f"{org.name}: covers either an area or an enterprise.")
    if level.covers == CoveredKind.ENTERPRISE:
        if org.covered_enterprise is None:
            raise ValidationError({"covered_enterprise": f"{org.name}: covers an enterprise."})
        org.area = org.covered_enterprise.area
    else:
        if org.covered_area is None or org.covered_area.kind != level.covers:
            raise ValidationError({"covered_area": f"{org.name}: covers a {level.covers}."})
        org.area = org.covered_area
    if parent is not None and not org.area.path.startswith(parent.area.path):
        raise ValidationError(
            {"parent": f"{org.name}: lies outside {parent.area.name}, which {parent.name} covers."}
        )
    # Foreign keys are left out: clean_fields would check each one with a query.
    org.clean_fields(
        exclude=["path", "depth", "parent", "area", "covered_area", "covered_enterprise", "scheme"]
    )


def insert_party_orgs(orgs: Sequence, *, validate: bool = True, batch_size: int = BATCH_SIZE) -> int:
    """Insert new party organisations; parents may be saved or among ``orgs``."""
    from partyorgs.models import PartyOrganisation

    if validate:
        levels = _scheme_levels(orgs)
        seen_enterprises: set[int] = set()
        for org in orgs:
            validate_party_org(org, levels)
            if org.covered_enterprise is not None:
                if org.covered_enterprise.pk in seen_enterprises:
                    raise ValidationError(
                        {"covered_enterprise": f"{org.covered_enterprise.name} has two organisations."}
                    )
                seen_enterprises.add(org.covered_enterprise.pk)
    else:
        for org in orgs:
            org.area = org.covered_enterprise.area if org.covered_enterprise else org.covered_area
    return insert_nodes(PartyOrganisation, orgs, batch_size=batch_size)


def insert_posts(posts: Sequence, *, validate: bool = True, batch_size: int = BATCH_SIZE) -> int:
    """Insert posts. One current secretary per organisation is enforced by the database;
    with ``validate`` the batch is also checked against itself first."""
    from partyorgs.models import Post, PostRole

    if validate:
        sitting: set[int] = set()
        for post in posts:
            post.clean_fields(exclude=["organisation", "person"])
            if post.ended_on is not None and post.ended_on < post.started_on:
                raise ValidationError({"ended_on": f"{post}: ends before it starts."})
            if post.role == PostRole.SECRETARY and post.ended_on is None:
                if post.organisation.pk in sitting:
                    raise ValidationError({"role": f"{post.organisation}: two sitting secretaries."})
                sitting.add(post.organisation.pk)
    Post.objects.bulk_create(posts, batch_size=batch_size)
    return len(posts)
