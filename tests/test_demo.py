"""``manage.py load_demo``: the seed's three places at their real size, and the demo
micro-wishes in them, loaded idempotently."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F

from communities import services as area_services
from communities.models import Area, AreaKind, Enterprise
from governance.models import AuditEvent, StaffRole
from governance.validators import validate_uscc
from partyorgs.models import PartyOrganisation, Post
from partyorgs.schemes import FENYI, LESHAN, WENSHANG
from partyorgs.selectors import area_coverage, concurrent_secretary_posts
from wishes.models import OPEN_STATUSES, ClaimerKind, Notification, Status, Wish

from .conftest import T0

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo_settings(settings, monkeypatch):
    settings.DEBUG = True
    # PBKDF2 is slow by design; the loader hashes once, but check_password per login adds up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return settings


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(demo_settings) -> str:
    """The territory, party organisations and logins (the wishes take a while longer)."""
    return load("--no-wishes", "--no-properties")


@pytest.fixture
def demo_wishes(demo_settings, clock) -> str:
    """Micro-wishes included, loaded at T0 (the ``clock`` fixture); property services are
    tested in test_properties_demo.py."""
    return load("--no-properties")


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def test_leshan_has_810_old_compounds_in_160_grids_all_covered(demo):
    district = area("511102")
    assert district.name == "乐山市市中区" and district.kind == AreaKind.DISTRICT
    compounds = Area.objects.within(district).filter(kind=AreaKind.COMPOUND)
    assert compounds.count() == 810
    assert compounds.filter(is_old_compound=True, build_year__range=(1980, 2000)).count() == 810
    assert compounds.filter(parent__kind=AreaKind.GRID).count() == 810
    assert Area.objects.within(district).filter(kind=AreaKind.GRID).count() == 160
    assert Area.objects.within(district).filter(kind=AreaKind.BUILDING).exists()

    names = set(Area.objects.within(district).filter(kind=AreaKind.COMMUNITY).values_list("name", flat=True))
    assert {"府街社区", "海棠社区", "柏杨社区", "斑竹湾社区"} <= names
    haitang = Area.objects.get(parent=district, name="海棠街道")
    assert haitang.children.filter(kind=AreaKind.COMMUNITY).count() == 17  # 17 mailboxes
    assert compounds.filter(name="88公寓", parent__parent__name="斑竹湾社区").exists()

    grid_orgs = PartyOrganisation.objects.filter(scheme__code=LESHAN, level=2, area__path__startswith=district.path)
    assert grid_orgs.count() == 160
    assert PartyOrganisation.objects.filter(scheme__code=LESHAN, level=3).exists()
    assert PartyOrganisation.objects.filter(scheme__code=LESHAN, level=4).exists()

    coverage = area_coverage(district)
    assert coverage.compounds == 810
    assert coverage.compounds_covered == 810
    assert coverage.compound_rate == 1.0
    # Most grid organisations have a resident secretary; a few cadres hold several posts.
    grid_secretaries = Post.objects.current().secretaries().filter(organisation__in=grid_orgs)
    assert grid_secretaries.count() == 160
    assert grid_secretaries.filter(lives_in_unit=True).count() > 120
    assert grid_secretaries.filter(is_community_cadre=True).exists()
    assert 2 <= coverage.concurrent_secretaries <= 3
    holders = {p.person_id for p in concurrent_secretary_posts(district)}
    assert len(holders) == coverage.concurrent_secretaries
    # The 2024 hand-over from a cadre to a resident secretary is on record.
    assert Post.objects.filter(organisation__in=grid_orgs, ended_on__isnull=False).exists()


def test_fenyi_has_208_compounds_in_16_communities_each_with_a_branch(demo):
    county = area("360521")
    assert county.name == "分宜县" and county.kind == AreaKind.COUNTY
    communities = Area.objects.within(county).filter(kind=AreaKind.COMMUNITY)
    assert communities.count() == 16
    compounds = Area.objects.within(county).filter(kind=AreaKind.COMPOUND)
    assert compounds.count() == 208
    assert compounds.filter(parent__kind=AreaKind.COMMUNITY).count() == 208

    branches = PartyOrganisation.objects.filter(scheme__code=FENYI, level=3)
    assert branches.count() == 208
    assert set(branches.values_list("covered_area_id", flat=True)) == set(compounds.values_list("pk", flat=True))
    assert PartyOrganisation.objects.filter(scheme__code=FENYI, level=2).count() == 16
    assert PartyOrganisation.objects.filter(scheme__code=FENYI, level=1, covered_area__kind=AreaKind.STREET).count() == 3

    coverage = area_coverage(county)
    assert (coverage.compounds, coverage.compounds_covered, coverage.compound_rate) == (208, 208, 1.0)
    assert coverage.concurrent_secretaries > 0


def test_wenshang_zone_has_76_enterprises_in_6_grids_all_covered(demo):
    county = area("370830")
    zone = Area.objects.get(parent=county, kind=AreaKind.ZONE)
    assert zone.name == "汶上经济开发区"
    grids = Area.objects.within(zone).filter(kind=AreaKind.GRID)
    assert grids.count() == 6
    enterprises = Enterprise.objects.filter(area__path__startswith=zone.path)
    assert enterprises.count() == 76
    assert enterprises.filter(area__kind=AreaKind.GRID).count() == 76
    assert {e.kind for e in enterprises} == {
        Enterprise.Kind.PRIVATE_ENTERPRISE, Enterprise.Kind.SOCIAL_ORGANISATION,
    }
    for enterprise in enterprises:
        validate_uscc(enterprise.credit_code)

    orgs = PartyOrganisation.objects.filter(scheme__code=WENSHANG)
    assert [orgs.filter(level=n).count() for n in (1, 2, 3, 4)] == [1, 1, 6, 76]
    assert orgs.filter(level=4, covered_enterprise__isnull=False).count() == 76
    assert orgs.filter(level=4, parent__covered_area=F("area")).count() == 76  # in its grid's branch

    coverage = area_coverage(zone)
    assert (coverage.enterprises, coverage.enterprises_covered, coverage.enterprise_rate) == (76, 76, 1.0)


def test_the_trees_keep_the_rules_of_the_services(demo):
    for model in (Area, PartyOrganisation):
        children = model.objects.exclude(parent=None)
        assert not model.objects.filter(parent=None).exclude(depth=1).exists()
        assert not children.exclude(depth=F("parent__depth") + 1).exists()
        assert not children.exclude(path__startswith=F("parent__path")).exists()
        for node in model.objects.select_related("parent"):
            expected = f"{node.parent.path if node.parent else '/'}{node.pk}/"
            assert node.path == expected
    for node in Area.objects.select_related("parent"):
        area_services.check_parent_fits(node.kind, node.parent)
    orgs = PartyOrganisation.objects.exclude(parent=None)
    assert not orgs.exclude(level=F("parent__level") + 1).exists()
    assert not orgs.exclude(area__path__startswith=F("parent__area__path")).exists()
    assert not orgs.exclude(scheme=F("parent__scheme")).exists()
    assert not PartyOrganisation.objects.filter(covered_enterprise__isnull=False).exclude(
        area=F("covered_enterprise__area")
    ).exists()

    # The services accept the demo tree: community staff add a building in their compound.
    user = get_user_model().objects.get(username="fujie-community")
    compound = area("511102001001-G01-C01")
    building = area_services.area_create(
        actor=user, parent=compound, kind=AreaKind.BUILDING, name="新1栋", code="DEMO-NEW-B1"
    )
    assert building.path.startswith(compound.path)
    with pytest.raises(ValidationError):
        area_services.area_create(actor=user, parent=compound, kind=AreaKind.GRID, name="x", code="DEMO-X")


def test_logins_at_every_level_with_the_demo_password(demo):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(PASSWORD)
    expected = {
        "leshan-admin": ("district_admin", "乐山市市中区"),
        "fenyi-admin": ("district_admin", "分宜县"),
        "wenshang-admin": ("district_admin", "汶上县"),
        "haitang-street": ("street_staff", "海棠街道"),
        "fujie-community": ("community_staff", "府街社区"),
        "fujie-grid": ("grid_secretary", "府街第一网格"),
        "banzhuwan-88": ("compound_secretary", "88公寓"),
        "wenshang-zone": ("street_staff", "汶上经济开发区"),
    }
    for username, (role, area_name) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD), username
        assert not user.is_superuser
        assert StaffRole.objects.filter(user=user, role=role, area__name=area_name).exists(), username
    for role in StaffRole.Role.values:
        assert StaffRole.objects.filter(role=role).exists(), role
    # The roles open the right subtrees.
    haitang = User.objects.get(username="haitang-street")
    visible = Area.objects.visible_to(haitang)
    assert visible.filter(name="府街社区").exists()
    assert not visible.filter(name="斑竹湾社区").exists()
    assert not visible.filter(code="360521001").exists()
    assert "demo-pass-2026" in demo and "haitang-street" in demo


def test_a_second_run_creates_nothing(demo):
    models = apps.get_models()
    before = {m._meta.label: m._default_manager.count() for m in models}
    out = load("--no-wishes", "--no-properties")
    after = {m._meta.label: m._default_manager.count() for m in models}
    assert after == before
    assert "0 rows" in out and "nothing changed" in out


def test_demo_wishes_reach_every_status_some_overdue_and_load_once(demo_wishes, clock):
    assert "Micro-wishes: 600 created" in demo_wishes
    wishes = Wish.objects.filter(idempotency_key__startswith="demo-")
    assert wishes.count() == 600
    assert "history cut short" not in demo_wishes  # every scripted step was accepted
    by_status = Counter(wishes.values_list("status", flat=True))
    assert all(by_status[status] > 0 for status in Status.values), by_status
    assert by_status[Status.CLOSED] > 300
    # Overdue now: open past the deadline; and in history: late at some stage.
    overdue = wishes.filter(status__in=OPEN_STATUSES, due_at__lt=T0)
    assert overdue.exists() and overdue.filter(was_overdue=True).count() == overdue.count()
    assert wishes.filter(was_overdue=True, status=Status.CLOSED).exists()
    assert not wishes.filter(status__in=OPEN_STATUSES, due_at__isnull=True).exists()
    # Over the last 120 days, nothing in the future.
    assert not wishes.filter(created_at__gt=T0).exists()
    assert not wishes.filter(created_at__lt=T0 - datetime.timedelta(days=121)).exists()
    assert wishes.filter(created_at__lt=T0 - datetime.timedelta(days=90)).exists()

    # Every path of the workflow: escalated to street and centre, reopened, rejected
    # as duplicate and out of scope, rated mostly 4-5, closed unrated by the sweep.
    assert wishes.filter(resolved_level="street").exists() and wishes.filter(resolved_level="centre").exists()
    assert {"duplicate", "out_of_scope"} <= set(wishes.values_list("reject_reason", flat=True))
    ratings = Counter(wishes.exclude(rating=None).values_list("rating", flat=True))
    assert ratings[4] + ratings[5] > 2 * (ratings[1] + ratings[2] + ratings[3]) > 0
    assert wishes.filter(status=Status.CLOSED, rating=None).exists()
    events = Counter(AuditEvent.objects.filter(content_type__model="wish").values_list("action", flat=True))
    assert events["submitted"] == 600
    assert all(events[a] > 0 for a in ("accepted", "escalated", "claimed", "resolved", "rated", "reopened",
                                       "rejected", "withdrawn", "closed")), events

    # Claims by each kind of helper; channels and requesters mixed; fake phones.
    kinds = set(wishes.values_list("claimer_kind", flat=True))
    assert {ClaimerKind.PARTY_MEMBER, ClaimerKind.VOLUNTEER_TEAM, ClaimerKind.PAIRED_UNIT,
            ClaimerKind.CARING_MERCHANT} <= kinds
    assert set(wishes.values_list("channel", flat=True)) >= {"web", "mailbox", "office_day", "phone", "walk_in"}
    assert set(wishes.filter(channel="mailbox").values_list("street__name", flat=True)) == {"海棠街道"}
    assert wishes.filter(requester_type="merchant").exists() and wishes.filter(requester_type="resident").count() > 400
    assert all(re.fullmatch(r"13[89]0000\d{4}", p) for p in wishes.values_list("requester_phone", flat=True))
    communities = Counter(wishes.values_list("community__name", flat=True))
    assert sum(communities[c] for c in ("府街社区", "海棠社区", "柏杨社区", "斑竹湾社区")) > 300
    assert wishes.filter(street__parent__name="分宜县").exists()

    # Written by the services and the sweep, at the simulated time, by the demo staff.
    assert Notification.objects.filter(kind="reminder").exists() and Notification.objects.filter(kind="overdue").exists()
    assert not Notification.objects.filter(created_at__gt=T0).exists()
    assert not AuditEvent.objects.filter(at__gt=T0).exists()
    assert set(AuditEvent.objects.exclude(actor=None).values_list("actor__username", flat=True)) >= {
        "fujie-community", "haitang-street", "banzhuwan-community", "chengdong-community",
    }
    assert not wishes.filter(updated_at__gt=T0).exists()

    # A second run, days later, creates nothing: the wishes' keys decide, not the clock.
    models = apps.get_models()
    before = {m._meta.label: m._default_manager.count() for m in models}
    clock.advance(days=3)
    out = load("--no-properties")
    assert {m._meta.label: m._default_manager.count() for m in models} == before
    assert "0 rows" in out and "Micro-wishes: 0 created" in out and "nothing changed" in out


def test_a_partial_load_is_completed(demo):
    """Rows removed after a load (or a load interrupted by hand) are put back."""
    before = {m._meta.label: m._default_manager.count() for m in (Area, PartyOrganisation, Post)}
    building = Area.objects.filter(kind=AreaKind.BUILDING, party_orgs__isnull=True).first()
    building.delete()
    load("--no-wishes", "--no-properties")
    after = {m._meta.label: m._default_manager.count() for m in (Area, PartyOrganisation, Post)}
    assert after == before


def test_it_uses_the_password_from_the_environment(demo_settings, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pw-1")
    out = load("--no-wishes", "--no-properties")
    assert get_user_model().objects.get(username="fujie-grid").check_password("another-demo-pw-1")
    assert "another-demo-pw-1" in out


def test_it_refuses_to_run_without_debug_unless_forced(settings):
    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not Area.objects.exists()
    load("--force", "--no-wishes", "--no-properties")
    assert Area.objects.filter(code="511102").exists()

