"""Shared fixtures: a small territory tree with two branches at every level and staff
users at each level, so that every access test can ask "a member, an outsider, the
level above"."""

import datetime
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from communities.models import Area, AreaKind
from governance.models import StaffRole
from partyorgs.schemes import LESHAN

from .factories import EnterpriseFactory, UserFactory, give_role, make_area, make_org

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class Clock:
    """A clock the test moves by hand (``clock.advance(hours=20)``)."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **delta):
        self.current += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(T0)
    monkeypatch.setattr("governance.clock.now", fake)
    return fake


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Hierarchy schemes, wish categories and default time limits come from data
    migrations. A transactional test (``transaction=True``) ends with a flush that
    deletes them, so such tests seed them again first (the seeds are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module in ("partyorgs.migrations.0002_seed_schemes", "wishes.migrations.0002_seed_categories"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # PBKDF2 costs ~0.2 s a user by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Tree:
    district: Area
    street: Area
    other_street: Area
    community: Area
    other_community: Area
    grid: Area
    compound: Area
    building: Area
    other_compound: Area


@pytest.fixture
def tree(db) -> Tree:
    """district → {street → {community → grid → compound → building; other community →
    other compound}; other street}."""
    district = make_area(AreaKind.DISTRICT, name="市中区")
    street = make_area(AreaKind.STREET, district, name="海棠街道")
    other_street = make_area(AreaKind.STREET, district, name="张公桥街道")
    community = make_area(AreaKind.COMMUNITY, street, name="府街社区")
    other_community = make_area(AreaKind.COMMUNITY, street, name="柏杨社区")
    grid = make_area(AreaKind.GRID, community, name="府街一网格")
    compound = make_area(AreaKind.COMPOUND, grid, name="桂花小区", is_old_compound=True)
    building = make_area(AreaKind.BUILDING, compound, name="1栋")
    other_compound = make_area(AreaKind.COMPOUND, other_community, name="柏杨小区")
    return Tree(
        district, street, other_street, community, other_community, grid, compound,
        building, other_compound,
    )


@dataclass
class Staff:
    superuser: object
    district_admin: object
    street_staff: object
    other_street_staff: object
    community_staff: object
    other_community_staff: object
    grid_secretary: object
    compound_secretary: object
    no_role: object


@pytest.fixture
def staff(tree) -> Staff:
    def user(name, area=None, role=None):
        u = UserFactory(username=name)
        if area is not None:
            give_role(u, area, role)
        return u

    return Staff(
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
        district_admin=user("district", tree.district, StaffRole.Role.DISTRICT_ADMIN),
        street_staff=user("street", tree.street, StaffRole.Role.STREET_STAFF),
        other_street_staff=user("street2", tree.other_street, StaffRole.Role.STREET_STAFF),
        community_staff=user("community", tree.community, StaffRole.Role.COMMUNITY_STAFF),
        other_community_staff=user(
            "community2", tree.other_community, StaffRole.Role.COMMUNITY_STAFF
        ),
        grid_secretary=user("gridsec", tree.grid, StaffRole.Role.GRID_SECRETARY),
        compound_secretary=user("compsec", tree.compound, StaffRole.Role.COMPOUND_SECRETARY),
        no_role=user("nobody"),
    )


@pytest.fixture
def orgs(tree):
    """Leshan scheme: community party committee → grid-compound org → building group."""
    committee = make_org(LESHAN, 1, area=tree.community, name="府街社区党委")
    grid_org = make_org(LESHAN, 2, parent=committee, area=tree.grid, name="府街一网格党组织")
    building_group = make_org(LESHAN, 3, parent=grid_org, area=tree.building, name="1栋党小组")
    other_committee = make_org(LESHAN, 1, area=tree.other_community, name="柏杨社区党委")
    return {
        "committee": committee,
        "grid_org": grid_org,
        "building_group": building_group,
        "other_committee": other_committee,
    }


@pytest.fixture
def enterprise(tree):
    return EnterpriseFactory(area=tree.community)


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


def pytest_sessionstart(session):
    """In CI the suite must run on PostgreSQL and Redis, never fall back to SQLite."""
    import os

    from django.conf import settings as django_settings

    if os.environ.get("CI"):
        engine = django_settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine or not django_settings.REDIS_URL:
            raise pytest.UsageError(
                f"CI must test on PostgreSQL and Redis; got {engine} and REDIS_URL="
                f"{django_settings.REDIS_URL!r}. Set DATABASE_URL and REDIS_URL."
            )


@pytest.fixture
def english(settings):
    """English messages, in the services and in requests without Accept-Language
    (the portal's default is Chinese); for tests that assert message texts."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
