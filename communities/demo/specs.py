"""The demo's codes and headline figures, and the specs the places are described in
before anything is written (keyed on stable codes, so loading can skip what exists)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .names import person_name

LESHAN_CODE = "511102"
FENYI_CODE = "360521"
WENSHANG_COUNTY_CODE = "370830"
WENSHANG_ZONE_CODE = "370830-KFQ"
ROOT_CODES = (LESHAN_CODE, FENYI_CODE, WENSHANG_COUNTY_CODE)

# Headline figures of the seed, asserted by the loader's own tests.
LESHAN_GRIDS = 160
LESHAN_OLD_COMPOUNDS = 810
FENYI_COMMUNITIES = 16
FENYI_COMPOUNDS = 208
WENSHANG_GRIDS = 6
WENSHANG_ENTERPRISES = 76

# --- Specs ---------------------------------------------------------------------------


@dataclass
class AreaSpec:
    code: str
    kind: str
    name: str
    parent: str | None
    fields: dict = field(default_factory=dict)


@dataclass
class EnterpriseSpec:
    credit_code: str
    name: str
    kind: str
    area: str
    employees: int
    address: str = ""


@dataclass
class OrgSpec:
    key: str
    scheme: str
    level: int
    name: str
    parent: str | None
    area: str | None = None
    enterprise: str | None = None
    founded_on: datetime.date | None = None


@dataclass
class PostSpec:
    org: str
    person: tuple[str, str]  # (name, area code)
    role: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    lives_in_unit: bool = False
    is_community_cadre: bool = False


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str | None  # a governance.models.RoleKind value; None for the superuser
    area: str | None


def org_key(scheme: str, level: int, unit: str) -> str:
    return f"{scheme}:{level}:{unit}"


@dataclass
class DemoData:
    areas: list[AreaSpec] = field(default_factory=list)
    enterprises: list[EnterpriseSpec] = field(default_factory=list)
    orgs: list[OrgSpec] = field(default_factory=list)
    people: dict[tuple[str, str], bool] = field(default_factory=dict)  # key → party member
    posts: list[PostSpec] = field(default_factory=list)
    _names: int = 0

    def area(self, code, kind, name, parent, **fields) -> AreaSpec:
        spec = AreaSpec(code, kind, name, parent, fields)
        self.areas.append(spec)
        return spec

    def org(self, scheme, level, name, parent, *, area=None, enterprise=None, founded_on=None) -> str:
        key = org_key(scheme, level, area or f"E{enterprise}")
        self.orgs.append(OrgSpec(key, scheme, level, name, parent, area, enterprise, founded_on))
        return key

    def person(self, area_code: str, *, party_member: bool = True) -> tuple[str, str]:
        """A new person with a name no one else in the demo has."""
        key = (person_name(self._names), area_code)
        self._names += 1
        self.people[key] = party_member
        return key

    def post(self, org, person, role="secretary", **kw) -> None:
        self.posts.append(PostSpec(org, person, role, **kw))
