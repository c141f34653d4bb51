"""Loading the demo: insert whatever of it is missing, in one transaction.

Existing rows are found by their stable keys (area codes, credit codes, an
organisation's scheme, level and covered unit, a person's name and area), so a second
run creates nothing and a partly deleted demo is completed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from communities import bulk
from communities.models import Area, Enterprise, Person

from .places import LOGINS, build_demo_data
from .specs import ROOT_CODES, DemoData, org_key

DEFAULT_PASSWORD = "demo-pass-2026"

@dataclass
class LoadResult:
    created: dict[str, int]
    skipped: dict[str, int]
    logins: list[tuple[str, str, str]]  # username, role, area
    existing_logins: list[str]
    seconds: float

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_areas(data: DemoData, created: dict) -> dict[str, Area]:
    codes = [spec.code for spec in data.areas]
    by_code: dict[str, Area] = {}
    for chunk in _chunks(codes):
        by_code.update((a.code, a) for a in Area.objects.filter(code__in=chunk))
    new = []
    for spec in data.areas:
        if spec.code in by_code:
            continue
        area = Area(code=spec.code, kind=spec.kind, name=spec.name, **spec.fields)
        area.parent = by_code[spec.parent] if spec.parent else None
        by_code[spec.code] = area
        new.append(area)
    created["areas"] = bulk.insert_areas(new)
    return by_code


def _load_enterprises(data: DemoData, areas: dict[str, Area], created: dict) -> dict[str, Enterprise]:
    codes = [spec.credit_code for spec in data.enterprises]
    by_code = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes).select_related("area")}
    new = []
    for spec in data.enterprises:
        if spec.credit_code in by_code:
            continue
        enterprise = Enterprise(
            credit_code=spec.credit_code, name=spec.name, kind=spec.kind, area=areas[spec.area],
            employees=spec.employees, address=spec.address,
        )
        by_code[spec.credit_code] = enterprise
        new.append(enterprise)
    created["enterprises"] = bulk.insert_enterprises(new)
    return by_code


def _existing_orgs(roots: list[Area]) -> dict[str, object]:
    from partyorgs.models import PartyOrganisation

    found = {}
    for root in roots:
        qs = PartyOrganisation.objects.filter(area__path__startswith=root.path).select_related(
            "scheme", "area", "covered_area", "covered_enterprise"
        ).order_by("pk")
        for org in qs:
            unit = org.covered_area.code if org.covered_area else f"E{org.covered_enterprise.credit_code}"
            found.setdefault(org_key(org.scheme.code, org.level, unit), org)
    return found


def _load_orgs(data, areas, enterprises, roots, created) -> dict[str, object]:
    from partyorgs.models import HierarchyScheme, PartyOrganisation

    schemes = {s.code: s for s in HierarchyScheme.objects.all()}
    by_key = _existing_orgs(roots)
    new = []
    for spec in data.orgs:
        if spec.key in by_key:
            continue
        org = PartyOrganisation(
            scheme=schemes[spec.scheme], level=spec.level, name=spec.name,
            covered_area=areas[spec.area] if spec.area else None,
            covered_enterprise=enterprises[spec.enterprise] if spec.enterprise else None,
            founded_on=spec.founded_on,
        )
        org.parent = by_key[spec.parent] if spec.parent else None
        by_key[spec.key] = org
        new.append(org)
    created["party_orgs"] = bulk.insert_party_orgs(new)
    return by_key


def _load_people(data, areas, roots, created) -> dict[tuple[str, str], Person]:
    by_key: dict[tuple[str, str], Person] = {}
    for root in roots:
        for person in Person.objects.filter(area__path__startswith=root.path).select_related("area").order_by("pk"):
            by_key.setdefault((person.name, person.area.code), person)
    new = []
    for key, party_member in data.people.items():
        if key in by_key:
            continue
        person = Person(name=key[0], area=areas[key[1]], is_party_member=party_member)
        by_key[key] = person
        new.append(person)
    created["people"] = bulk.insert_people(new)
    return by_key


def _load_posts(data, orgs, people, roots, created, skipped) -> None:
    from partyorgs.models import Post, PostRole

    existing = set()
    sitting = set()
    for root in roots:
        for org_id, person_id, role, started_on, ended_on in Post.objects.filter(
            organisation__area__path__startswith=root.path
        ).values_list("organisation_id", "person_id", "role", "started_on", "ended_on"):
            existing.add((org_id, person_id, role, started_on))
            if role == PostRole.SECRETARY and ended_on is None:
                sitting.add(org_id)
    new = []
    skipped["posts"] = 0
    for spec in data.posts:
        org, person = orgs[spec.org], people[spec.person]
        if (org.pk, person.pk, spec.role, spec.started_on) in existing:
            continue
        if spec.role == PostRole.SECRETARY and spec.ended_on is None:
            if org.pk in sitting:
                # Someone else is secretary now (changed through the portal): leave it.
                skipped["posts"] += 1
                continue
            sitting.add(org.pk)
        new.append(Post(
            organisation=org, person=person, role=spec.role, started_on=spec.started_on,
            ended_on=spec.ended_on, lives_in_unit=spec.lives_in_unit,
            is_community_cadre=spec.is_community_cadre,
        ))
    created["posts"] = bulk.insert_posts(new)


def _area_label(area: Area, areas_by_pk: dict[int, Area]) -> str:
    names = [areas_by_pk[pk].name for pk in area.ancestor_ids if pk in areas_by_pk]
    return " › ".join([*names, area.name])


def _load_logins(areas: dict[str, Area], password: str, reset_passwords: bool, created: dict):
    from governance.models import StaffRole

    User = get_user_model()
    encoded = make_password(password)  # hashed once: PBKDF2 is slow by design
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in LOGINS])}
    existing_logins = sorted(users)
    created["users"] = created["staff_roles"] = 0
    areas_by_pk = {a.pk: a for a in areas.values()}
    rows = []
    for spec in LOGINS:
        user = users.get(spec.username)
        if user is None:
            user = User(username=spec.username, password=encoded,
                        is_superuser=spec.role is None, is_staff=spec.role is None)
            user.save()
            created["users"] += 1
        elif reset_passwords:
            user.password = encoded
            user.save(update_fields=["password"])
        if spec.role is None:
            rows.append((spec.username, "superuser", "—"))
            continue
        area = areas[spec.area]
        _, made = StaffRole.objects.get_or_create(user=user, area=area, role=spec.role)
        created["staff_roles"] += int(made)
        rows.append((spec.username, str(StaffRole.Role(spec.role).label), _area_label(area, areas_by_pk)))
    return rows, existing_logins


def load_demo(*, password: str = DEFAULT_PASSWORD, reset_passwords: bool = False) -> LoadResult:
    """Insert whatever of the demo is missing, in one transaction. Idempotent."""
    started = time.perf_counter()
    data = build_demo_data()
    created: dict[str, int] = {}
    skipped: dict[str, int] = {}
    with transaction.atomic():
        areas = _load_areas(data, created)
        roots = [areas[code] for code in ROOT_CODES]
        enterprises = _load_enterprises(data, areas, created)
        orgs = _load_orgs(data, areas, enterprises, roots, created)
        people = _load_people(data, areas, roots, created)
        _load_posts(data, orgs, people, roots, created, skipped)
        logins, existing_logins = _load_logins(areas, password, reset_passwords, created)
    return LoadResult(created, skipped, logins, existing_logins, time.perf_counter() - started)
