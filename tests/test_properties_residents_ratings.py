"""Owners' rating of property companies (owner_rating_submit): one row per household
and period, a second rating replaces the first and says so, the household must
belong to a compound of the period's district served by a rated company, and the
period must be open. Also the ``ratings/`` API and its scoping."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communities.models import AreaKind
from governance.models import AuditEvent
from properties.models import OwnerRating, PeriodStatus, ServiceModeKind
from properties.services_residents import owner_rating_submit

from .factories import UserFactory, make_area
from .property_factories import (
    make_company,
    make_company_staff,
    make_household,
    make_mode,
    make_period,
)

pytestmark = pytest.mark.django_db

CODE = "ABCDEFGHJK"
ASPECTS = {"service": 5, "cleanliness": 4, "security": 4, "maintenance": 3, "transparency": 5}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Scene:
    company: object
    period: object
    household: object


@pytest.fixture
def scene(tree, clock):
    company = make_company(tree.district, name="海棠物业")
    make_mode(tree.compound, company=company)
    period = make_period(tree.district)
    household = make_household(tree.compound, building="1", unit="2", room="301", code=CODE)
    return Scene(company, period, household)


def rate(scene, code=CODE, **overrides):
    values = {**ASPECTS, "comment": "", **overrides}
    return owner_rating_submit(period=scene.period, code=code, **values)


def events(action):
    return AuditEvent.objects.filter(content_type__model="ownerrating", action=action)


# --- the service ---------------------------------------------------------------------------


def test_a_household_rates_the_company_serving_its_compound(scene, tree):
    rating, replaced = rate(scene, comment="  保洁很好  ")
    assert replaced is False
    assert (rating.company, rating.compound, rating.household) == (scene.company, tree.compound, scene.household)
    # mean (5+4+4+3+5)/5 = 4.2 → 84 on the 0–100 scale
    assert rating.score == Decimal("84.00")
    assert rating.comment == "保洁很好"
    assert rating.times_replaced == 0
    event = events("rated").get()
    assert event.actor is None and event.to_state == "84.00"


def test_a_second_rating_replaces_the_first_and_says_so(scene, clock):
    first, _ = rate(scene)
    clock.advance(days=2)
    second, replaced = rate(scene, service=1, cleanliness=1, security=1, maintenance=1, transparency=1)
    assert replaced is True
    assert second.pk == first.pk
    assert OwnerRating.objects.count() == 1
    stored = OwnerRating.objects.get()
    assert stored.times_replaced == 1
    assert stored.score == Decimal("20.00")
    assert stored.submitted_at == clock()
    event = events("rating_replaced").get()
    assert (event.from_state, event.to_state) == ("84.00", "20.00")


def test_the_code_may_be_typed_in_lower_case_with_spaces_and_dashes(scene):
    rating, _ = rate(scene, code=" abcde-fghjk ")
    assert rating.household == scene.household


def test_an_unknown_code_is_refused(scene):
    with pytest.raises(ValidationError) as err:
        rate(scene, code="ZZZZZZZZZZ")
    assert "This rating code is not known" in err.value.message_dict["code"][0]
    assert not OwnerRating.objects.exists()


def test_the_code_of_a_deactivated_household_no_longer_works(scene):
    scene.household.is_active = False
    scene.household.save()
    with pytest.raises(ValidationError) as err:
        rate(scene)
    assert "not known" in err.value.message_dict["code"][0]


def test_a_household_of_a_compound_outside_the_periods_district_is_refused(scene, tree):
    district = make_area(AreaKind.DISTRICT, name="沙湾区")
    street = make_area(AreaKind.STREET, district)
    community = make_area(AreaKind.COMMUNITY, street)
    compound = make_area(AreaKind.COMPOUND, community, name="沙湾小区")
    make_mode(compound, company=scene.company)
    make_household(compound, code="HJKLMNPQRS")
    with pytest.raises(ValidationError) as err:
        rate(scene, code="HJKLMNPQRS")
    assert "沙湾小区 is not in it" in err.value.message_dict["period"][0]
    assert not OwnerRating.objects.exists()


@pytest.mark.parametrize("kind", [ServiceModeKind.FALLBACK, ServiceModeKind.SELF_MANAGED, None])
def test_a_compound_without_a_company_is_refused(scene, tree, kind):
    if kind is not None:
        make_mode(tree.other_compound, kind=kind)
    make_household(tree.other_compound, code="MNPQRSTUVW")
    with pytest.raises(ValidationError) as err:
        rate(scene, code="MNPQRSTUVW")
    assert err.value.message_dict["code"] == ["Your compound has no property company to rate this period."]
    assert not OwnerRating.objects.exists()


def test_a_company_not_rated_in_the_period_is_refused(scene, tree):
    # Its contract began after the half year: not rated in this period.
    late = make_company(tree.district, name="新来物业")
    make_mode(tree.other_compound, company=late, started_on=datetime.date(2026, 9, 1))
    make_household(tree.other_compound, code="PQRSTUVWXY")
    with pytest.raises(ValidationError) as err:
        rate(scene, code="PQRSTUVWXY")
    assert "新来物业" in err.value.message_dict["code"][0]


def test_a_late_rating_after_the_close_is_refused_with_a_clear_message(scene, clock):
    rate(scene)
    scene.period.status = PeriodStatus.CLOSED
    scene.period.closed_at = clock()
    scene.period.save()
    with pytest.raises(ValidationError) as err:
        rate(scene, service=1)
    message = " ".join(err.value.messages)
    assert "ratings are no longer accepted" in message
    assert "closed on" in message
    stored = OwnerRating.objects.get()
    assert (stored.service, stored.times_replaced) == (5, 0)


def test_a_rating_after_the_closing_time_is_refused_even_before_the_close_job(scene, clock):
    clock.advance(days=200)  # past closes_at, status still "open"
    with pytest.raises(ValidationError) as err:
        rate(scene)
    assert "ratings are no longer accepted" in " ".join(err.value.messages)
    assert not OwnerRating.objects.exists()


def test_a_rating_before_the_period_opens_is_refused(scene):
    scene.period.status = PeriodStatus.SCHEDULED
    scene.period.save()
    with pytest.raises(ValidationError) as err:
        rate(scene)
    assert "not accepted yet" in " ".join(err.value.messages)


@pytest.mark.parametrize("bad", [0, 6, -1, None, "x", True, 3.5])
def test_aspects_out_of_range_are_refused_and_nothing_is_stored(scene, bad):
    with pytest.raises(ValidationError) as err:
        rate(scene, security=bad)
    assert set(err.value.message_dict) == {"security"}
    assert not OwnerRating.objects.exists()
    assert not events("rated").exists()


def test_a_comment_longer_than_300_characters_is_refused(scene):
    with pytest.raises(ValidationError) as err:
        rate(scene, comment="很" * 301)
    assert "comment" in err.value.message_dict
    assert not OwnerRating.objects.exists()


def test_a_replacement_follows_the_company_now_serving(scene, tree):
    rate(scene)
    successor = make_company(tree.district, name="接管物业")
    mode = tree.compound.service_modes.get()
    mode.ended_on = datetime.date(2026, 2, 1)
    mode.save()
    make_mode(tree.compound, company=successor, started_on=datetime.date(2026, 2, 1))
    rating, replaced = rate(scene)
    assert replaced and rating.company == successor


def test_staff_entering_a_paper_ballot_must_be_able_to_change_the_compound(scene, staff):
    with pytest.raises(PermissionDenied):
        owner_rating_submit(period=scene.period, code=CODE, actor=staff.other_community_staff, **ASPECTS)
    rating, _ = owner_rating_submit(period=scene.period, code=CODE, actor=staff.community_staff, **ASPECTS)
    assert events("rated").get().actor == staff.community_staff


# --- the API -----------------------------------------------------------------------------------


def payload(scene, **overrides):
    return {"period": scene.period.pk, "code": CODE, **ASPECTS, **overrides}


def test_the_api_enters_a_rating_with_201_then_replaces_it_with_200(api, scene, staff):
    client = api(staff.community_staff)
    first = client.post("/api/v1/ratings/", payload(scene), format="json")
    assert first.status_code == 201, first.content
    assert first.json()["replaced"] is False
    second = client.post("/api/v1/ratings/", payload(scene, service=2), format="json")
    assert second.status_code == 200, second.content
    body = second.json()
    assert body["replaced"] is True and body["times_replaced"] == 1 and body["service"] == 2
    assert OwnerRating.objects.count() == 1


@pytest.mark.parametrize("who", ["other_community_staff", "grid_secretary", "compound_secretary", "other_street_staff"])
def test_the_api_refuses_ratings_entered_by_staff_who_cannot_change_the_compound(api, scene, staff, who):
    response = api(getattr(staff, who)).post("/api/v1/ratings/", payload(scene), format="json")
    assert response.status_code == 403, response.content
    assert not OwnerRating.objects.exists()


def test_the_api_refuses_company_staff_and_anonymous_callers(api, scene):
    user = UserFactory()
    make_company_staff(user, scene.company)
    assert api(user).post("/api/v1/ratings/", payload(scene), format="json").status_code == 403
    assert api().post("/api/v1/ratings/", payload(scene), format="json").status_code in (401, 403)
    assert not OwnerRating.objects.exists()


def test_the_api_answers_400_with_the_reason_for_a_closed_period(api, scene, staff):
    scene.period.status = PeriodStatus.CLOSED
    scene.period.save()
    response = api(staff.community_staff).post(
        "/api/v1/ratings/", payload(scene), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "ratings are no longer accepted" in str(response.json())


def test_the_api_answers_400_for_aspects_out_of_range(api, scene, staff):
    response = api(staff.community_staff).post("/api/v1/ratings/", payload(scene, maintenance=9), format="json")
    assert response.status_code == 400
    assert "maintenance" in response.json()
    assert not OwnerRating.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("superuser", True), ("district_admin", True), ("street_staff", True),
        ("community_staff", True), ("grid_secretary", True), ("compound_secretary", True),
        ("other_street_staff", False), ("other_community_staff", False),
    ],
)
def test_the_rating_list_is_scoped_by_compound(api, scene, staff, who, sees):
    rate(scene)
    response = api(getattr(staff, who)).get("/api/v1/ratings/")
    assert response.status_code == 200
    assert (response.json()["count"] == 1) is sees


def test_company_staff_never_see_owners_ratings_and_no_role_is_refused(api, scene, staff):
    rate(scene)
    user = UserFactory()
    make_company_staff(user, scene.company)
    response = api(user).get("/api/v1/ratings/")
    assert response.status_code == 200 and response.json()["count"] == 0
    assert api(staff.no_role).get("/api/v1/ratings/").status_code == 403


def test_the_rating_list_shows_the_household_as_a_place_never_its_code(api, scene, staff):
    rate(scene)
    response = api(staff.district_admin).get("/api/v1/ratings/")
    row = response.json()["results"][0]
    assert row["household"] == "1-2-301"
    assert CODE not in response.content.decode()
    assert row["company_name"] == "海棠物业" and row["score"] == "84.00"


def test_the_rating_list_filters_by_period_company_compound_and_area(api, scene, staff, tree):
    rate(scene)
    other = make_company(tree.district)
    make_mode(tree.other_compound, company=other)
    make_household(tree.other_compound, code="QRSTUVWXYZ")
    rate(scene, code="QRSTUVWXYZ")
    client = api(staff.district_admin)

    def count(**params):
        response = client.get("/api/v1/ratings/", params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count() == 2
    assert count(company=scene.company.pk) == 1
    assert count(compound=tree.other_compound.pk) == 1
    assert count(within=tree.community.pk) == 1
    assert count(within=tree.street.pk) == 2
    assert count(period=scene.period.pk) == 2
    other_period = make_period(tree.district, half=2)
    assert count(period=other_period.pk) == 0


def test_the_rating_list_queries_do_not_grow_with_the_page(api, scene, staff, tree, django_assert_max_num_queries):
    client = api(staff.street_staff)

    def add(n, start):
        for i in range(n):
            make_household(tree.compound, room=f"9{start + i:03d}", code=f"CODE{start + i:06d}"[:10])
            rate(scene, code=f"CODE{start + i:06d}"[:10])

    add(3, 0)
    with django_assert_max_num_queries(8) as small:
        assert client.get("/api/v1/ratings/").json()["count"] == 3
    add(17, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/ratings/").json()["count"] == 20


# --- the staff page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), [("community_staff", True), ("compound_secretary", True),
                                           ("other_community_staff", False), ("company", False)])
def test_the_owner_rating_page_lists_ratings_in_scope_without_codes(client, scene, staff, who, sees):
    from django.urls import reverse

    rate(scene, comment="楼道很干净")
    if who == "company":
        user = UserFactory()
        make_company_staff(user, scene.company)
    else:
        user = getattr(staff, who)
    client.force_login(user)
    response = client.get(reverse("property-owner-rating-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ("楼道很干净" in page) is sees
    assert ("1-2-301" in page) is sees
    assert CODE not in page and "ABCDE-FGHJK" not in page


def test_the_owner_rating_page_queries_do_not_grow_with_the_page(client, scene, staff, tree,
                                                                 django_assert_max_num_queries):
    from django.urls import reverse

    client.force_login(staff.street_staff)
    url = reverse("property-owner-rating-list")
    for i in range(3):
        make_household(tree.compound, room=f"8{i:03d}", code=f"PAGE{i:06d}")
        rate(scene, code=f"PAGE{i:06d}")
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    for i in range(3, 30):
        make_household(tree.compound, room=f"8{i:03d}", code=f"PAGE{i:06d}")
        rate(scene, code=f"PAGE{i:06d}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
