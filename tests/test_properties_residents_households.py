"""Households and their rating codes: bulk adding (all lines checked first, line
numbers in the errors, duplicates skipped), new codes, deactivation, the staff pages
and API, and who may see the codes (only staff who may change the compound)."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from governance.models import AuditEvent
from properties.models import Household
from properties.services_residents import (
    CODE_ALPHABET,
    household_deactivate,
    household_for_code,
    household_regenerate_code,
    households_bulk_create,
    parse_household_line,
)

from .factories import UserFactory
from .property_factories import make_company, make_company_staff, make_household, make_mode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def keys(compound):
    return sorted(Household.objects.filter(compound=compound).values_list("building", "unit", "room"))


# --- parsing and bulk adding --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1-2-301", ("1", "2", "301")),
        ("1栋,2单元,301", ("1", "2", "301")),
        ("1号楼，2单元，301室", ("1", "2", "301")),
        ("3,,502", ("3", "", "502")),
        ("3-502", ("3", "", "502")),
        ("A座 1单元 1201", ("A", "1", "1201")),
    ],
)
def test_household_lines_are_read_in_the_usual_ways(line, expected):
    assert parse_household_line(line) == expected


@pytest.mark.parametrize("line", ["301", "1-2-3-4", "-2-301", "1-2-" + "9" * 21])
def test_unreadable_household_lines_are_refused(line):
    with pytest.raises(ValueError):
        parse_household_line(line)


def test_bulk_adding_creates_households_with_unique_unambiguous_codes(tree, staff):
    result = households_bulk_create(
        actor=staff.community_staff, compound=tree.compound,
        lines="building,unit,room\n1,1,101\n1-1-102\n\n1栋,2单元,201\n2-301\n",
    )
    assert (result.created, result.skipped) == (4, 0)
    assert keys(tree.compound) == [("1", "1", "101"), ("1", "1", "102"), ("1", "2", "201"), ("2", "", "301")]
    codes = list(Household.objects.values_list("code", flat=True))
    assert len(set(codes)) == 4
    for code in codes:
        assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("01OI")
    event = AuditEvent.objects.get(content_type__model="area", object_id=tree.compound.pk)
    assert event.action == "households_added" and event.note == "households added: 4"
    assert event.actor == staff.community_staff


def test_one_bad_line_stores_nothing_and_names_its_line_number(tree, staff):
    with pytest.raises(ValidationError) as err:
        households_bulk_create(actor=staff.community_staff, compound=tree.compound,
                               lines="1-1-101\n1-1-102\n301\n1-1-103\n1-2-3-4-5")
    messages = err.value.message_dict["lines"]
    assert len(messages) == 2
    assert messages[0].startswith("Line 3 (301)")
    assert messages[1].startswith("Line 5")
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(action="households_added").exists()


def test_households_already_recorded_or_repeated_are_skipped(tree, staff):
    make_household(tree.compound, building="1", unit="1", room="101")
    result = households_bulk_create(actor=staff.community_staff, compound=tree.compound,
                                    lines="1-1-101\n1栋,1单元,101室\n1-1-102\n1-1-102\n")
    assert (result.created, result.skipped) == (1, 3)
    assert keys(tree.compound) == [("1", "1", "101"), ("1", "1", "102")]


def test_adding_only_known_households_writes_no_audit_event(tree, staff):
    make_household(tree.compound, building="1", unit="1", room="101")
    result = households_bulk_create(actor=staff.community_staff, compound=tree.compound, lines="1-1-101")
    assert (result.created, result.skipped) == (0, 1)
    assert not AuditEvent.objects.filter(action="households_added").exists()


@pytest.mark.parametrize("who", ["grid_secretary", "compound_secretary", "other_community_staff", "no_role"])
def test_only_staff_who_may_change_the_compound_add_households(tree, staff, who):
    with pytest.raises(PermissionDenied):
        households_bulk_create(actor=getattr(staff, who), compound=tree.compound, lines="1-1-101")
    assert not Household.objects.exists()


def test_households_belong_to_a_compound(tree, staff):
    with pytest.raises(ValidationError) as err:
        households_bulk_create(actor=staff.community_staff, compound=tree.community, lines="1-1-101")
    assert "compound" in err.value.message_dict


# --- codes ------------------------------------------------------------------------------------


def test_a_new_code_replaces_the_old_one_at_once_and_is_not_audited_in_clear(tree, staff):
    household = make_household(tree.compound, code="ABCDEFGHJK")
    household = household_regenerate_code(actor=staff.community_staff, household=household)
    assert household.code != "ABCDEFGHJK"
    assert household_for_code("ABCDEFGHJK") is None
    assert household_for_code(household.code) == household
    event = AuditEvent.objects.get(action="code_regenerated")
    assert household.code not in (event.note + event.from_state + event.to_state)
    assert "ABCDEFGHJK" not in (event.note + event.from_state + event.to_state)


def test_a_deactivated_household_no_longer_rates_and_deactivating_twice_changes_nothing(tree, staff):
    household = make_household(tree.compound, code="ABCDEFGHJK")
    household_deactivate(actor=staff.community_staff, household=household)
    household_deactivate(actor=staff.community_staff, household=household)
    assert household_for_code("ABCDEFGHJK") is None
    assert AuditEvent.objects.filter(action="deactivated").count() == 1


def test_read_only_staff_cannot_regenerate_codes(tree, staff):
    household = make_household(tree.compound, code="ABCDEFGHJK")
    with pytest.raises(PermissionDenied):
        household_regenerate_code(actor=staff.grid_secretary, household=household)
    household.refresh_from_db()
    assert household.code == "ABCDEFGHJK"


# --- staff pages ---------------------------------------------------------------------------------


def list_page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("property-household-list"), params, **EN)


@pytest.mark.parametrize(
    ("who", "sees_row", "sees_code"),
    [
        ("superuser", True, True), ("district_admin", True, True), ("street_staff", True, True),
        ("community_staff", True, True), ("grid_secretary", True, False),
        ("compound_secretary", True, False), ("other_community_staff", False, False),
        ("other_street_staff", False, False),
    ],
)
def test_codes_are_shown_only_to_staff_who_may_change_the_compound(client, tree, staff, who, sees_row, sees_code):
    make_household(tree.compound, building="7", unit="1", room="701", code="ABCDEFGHJK")
    response = list_page(client, getattr(staff, who))
    assert response.status_code == 200
    page = response.content.decode()
    assert ("7-1-701" in page) is sees_row
    assert ("ABCDE-FGHJK" in page) is sees_code
    assert "ABCDEFGHJK" not in page or sees_code


def test_company_staff_see_no_households(client, tree):
    company = make_company(tree.district)
    make_mode(tree.compound, company=company)
    make_household(tree.compound, building="7", unit="1", room="701", code="ABCDEFGHJK")
    user = UserFactory()
    make_company_staff(user, company)
    response = list_page(client, user)
    assert response.status_code == 200
    assert "7-1-701" not in response.content.decode()


def test_the_bulk_add_page_adds_households_and_reports_counts(client, tree, staff):
    make_household(tree.compound, building="1", unit="1", room="101")
    client.force_login(staff.community_staff)
    url = reverse("property-household-add") + f"?compound={tree.compound.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"compound": tree.compound.pk, "lines": "1-1-101\n1-1-102\n1-1-103"}, **EN)
    assert response.status_code == 302
    assert f"compound={tree.compound.pk}" in response["Location"]
    page = client.get(response["Location"], **EN).content.decode()
    assert "Households added: 2; already recorded, skipped: 1." in page


def test_the_bulk_add_page_shows_the_bad_lines_and_stores_nothing(client, tree, staff):
    client.force_login(staff.community_staff)
    response = client.post(reverse("property-household-add"),
                           {"compound": tree.compound.pk, "lines": "1-1-101\nno good line here at all\n"}, **EN)
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert not Household.objects.exists()


def test_read_only_staff_get_a_403_on_the_bulk_add_page_of_a_compound(client, tree, staff):
    client.force_login(staff.grid_secretary)
    response = client.get(reverse("property-household-add") + f"?compound={tree.compound.pk}")
    assert response.status_code == 403


def test_the_slips_page_prints_one_slip_per_active_household(client, tree, staff, settings):
    settings.PUBLIC_BASE_URL = "https://gov.example.cn"
    make_household(tree.compound, building="1", unit="2", room="301", code="ABCDEFGHJK")
    make_household(tree.compound, building="1", unit="2", room="302", code="BCDEFGHJKL", is_active=False)
    client.force_login(staff.community_staff)
    response = client.get(reverse("property-household-slips"), {"compound": tree.compound.pk}, **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="prop-slip"') == 1
    assert "ABCDE-FGHJK" in page and "1-2-301" in page and "桂花小区" in page
    assert "https://gov.example.cn/property/rate/" in page
    assert "BCDEF-GHJKL" not in page


@pytest.mark.parametrize(("who", "status"), [("grid_secretary", 403), ("compound_secretary", 403),
                                             ("other_community_staff", 404), ("other_street_staff", 404)])
def test_the_slips_page_is_refused_to_staff_who_may_not_change_the_compound(client, tree, staff, who, status):
    make_household(tree.compound, code="ABCDEFGHJK")
    client.force_login(getattr(staff, who))
    response = client.get(reverse("property-household-slips"), {"compound": tree.compound.pk})
    assert response.status_code == status
    assert "ABCDE-FGHJK" not in response.content.decode()


def test_the_slips_css_has_print_rules():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/portal.css"), encoding="utf-8").read()
    block = css[css.index("(helper D)"):]
    assert "@media print" in block and ".prop-slip" in block


@pytest.mark.parametrize(("who", "status"), [("community_staff", 302), ("grid_secretary", 403),
                                             ("other_community_staff", 404)])
def test_the_new_code_button_is_scoped(client, tree, staff, who, status):
    household = make_household(tree.compound, code="ABCDEFGHJK")
    client.force_login(getattr(staff, who))
    response = client.post(reverse("property-household-regenerate-code", args=[household.pk]))
    assert response.status_code == status
    household.refresh_from_db()
    assert (household.code != "ABCDEFGHJK") is (status == 302)


def test_the_household_list_queries_do_not_grow_with_the_page(client, tree, staff, django_assert_max_num_queries):
    client.force_login(staff.street_staff)
    for n in range(3):
        make_household(tree.compound, room=f"1{n:02d}")
    with django_assert_max_num_queries(20) as small:
        list_page(client, staff.street_staff, page_size=50)
    for n in range(3, 40):
        make_household(tree.compound, room=f"1{n:02d}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = list_page(client, staff.street_staff, page_size=50)
    assert response.content.decode().count("桂花小区</td>") == 40


# --- API ------------------------------------------------------------------------------------------


def test_the_api_shows_codes_only_to_staff_who_may_change_the_compound(api, tree, staff):
    make_household(tree.compound, code="ABCDEFGHJK")
    assert api(staff.community_staff).get("/api/v1/households/").json()["results"][0]["code"] == "ABCDEFGHJK"
    row = api(staff.grid_secretary).get("/api/v1/households/").json()["results"][0]
    assert row["code"] is None and row["label"]
    assert api(staff.other_community_staff).get("/api/v1/households/").json()["count"] == 0


def test_the_api_adds_households_in_bulk(api, tree, staff):
    response = api(staff.community_staff).post(
        "/api/v1/households/bulk/", {"compound": tree.compound.pk, "lines": "1-1-101\n1-1-102"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 2, "skipped": 0}
    bad = api(staff.community_staff).post(
        "/api/v1/households/bulk/", {"compound": tree.compound.pk, "lines": "1-1-103\nnope"}, format="json")
    assert bad.status_code == 400
    assert "Line 2" in str(bad.json()["lines"])
    refused = api(staff.grid_secretary).post(
        "/api/v1/households/bulk/", {"compound": tree.compound.pk, "lines": "1-1-104"}, format="json")
    assert refused.status_code == 403
    assert Household.objects.count() == 2


def test_the_api_regenerates_a_code(api, tree, staff):
    household = make_household(tree.compound, code="ABCDEFGHJK")
    response = api(staff.community_staff).post(f"/api/v1/households/{household.pk}/regenerate-code/")
    assert response.status_code == 200
    assert response.json()["code"] != "ABCDEFGHJK"
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{10}}", response.json()["code"])
    assert api(staff.grid_secretary).post(f"/api/v1/households/{household.pk}/regenerate-code/").status_code == 403
    assert api(staff.other_community_staff).post(
        f"/api/v1/households/{household.pk}/regenerate-code/").status_code == 404


def test_the_api_filters_households_by_compound_area_and_state(api, tree, staff):
    make_household(tree.compound, building="1", room="101")
    make_household(tree.compound, building="2", room="201", is_active=False)
    make_household(tree.other_compound, building="1", room="101")
    client = api(staff.street_staff)

    def count(**params):
        response = client.get("/api/v1/households/", params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count() == 3
    assert count(compound=tree.compound.pk) == 2
    assert count(within=tree.other_community.pk) == 1
    assert count(is_active="false") == 1
    assert count(search="201") == 1
    assert count(building="1") == 2
