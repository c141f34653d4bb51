"""The property company registry and the company staff role: services, API and
pages, scoped by the one rule (company staff read their own company only)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from communities.models import AreaKind
from governance.models import AuditEvent
from properties import services_companies as services
from properties.access import company_ids_for
from properties.models import CompanyStaff, PropertyCompany

from .factories import EnterpriseFactory, UserFactory, make_area, make_org, make_uscc
from .property_factories import make_company, make_company_staff, make_mode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COMPANIES = "/api/v1/property-companies/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def events(obj, action=None):
    qs = AuditEvent.objects.filter(object_id=obj.pk, content_type__model=type(obj)._meta.model_name)
    return qs.filter(action=action) if action else qs


def create(actor, area, **fields):
    fields.setdefault("name", "桂花物业服务有限公司")
    fields.setdefault("credit_code", make_uscc(7001))
    return services.company_create(actor=actor, area=area, **fields)


@pytest.fixture
def scene(tree, staff):
    """A company registered at the district serving the compound, one registered at the
    other street serving nothing, and a company login of the first."""
    company = make_company(tree.district, name="海棠物业")
    make_mode(tree.compound, company=company)
    other = make_company(tree.other_street, name="张公桥物业")
    worker = UserFactory(username="worker")
    make_company_staff(worker, company)
    return type("Scene", (), {"company": company, "other": other, "worker": worker})


# --- services ------------------------------------------------------------------------------------


def test_a_district_admin_registers_a_company_with_an_audit_row(tree, staff, orgs):
    company = create(staff.district_admin, tree.district, credit_code=" " + make_uscc(7001).lower() + " ",
                     party_branch=orgs["committee"], contact_email="office@example.org")
    assert company.credit_code == make_uscc(7001)
    assert company.has_party_org and company.party_branch == orgs["committee"]
    assert [(e.action, e.to_state) for e in events(company)] == [("created", make_uscc(7001))]


def test_a_company_is_registered_with_a_district_or_street_only(tree, staff):
    with pytest.raises(ValidationError) as err:
        create(staff.district_admin, tree.community)
    assert err.value.message_dict == {
        "area": ["A company is registered with a district, county, street, town or development zone."]}
    assert not PropertyCompany.objects.exists()


def test_a_street_registers_at_its_street_but_not_at_the_district(tree, staff):
    assert create(staff.street_staff, tree.street).area == tree.street
    with pytest.raises(PermissionDenied):
        create(staff.street_staff, tree.district, credit_code=make_uscc(7002))
    with pytest.raises(PermissionDenied):
        create(staff.grid_secretary, tree.street, credit_code=make_uscc(7003))
    assert PropertyCompany.objects.count() == 1


def test_an_invalid_credit_code_is_refused_with_the_reason(tree, staff):
    code = make_uscc(7001)
    with pytest.raises(ValidationError) as err:
        create(staff.district_admin, tree.district, credit_code=code[:17] + ("0" if code[17] != "0" else "1"))
    assert err.value.message_dict["credit_code"] == [
        "The check character of this unified social credit code is wrong: check for a typing error."]
    with pytest.raises(ValidationError) as err:
        create(staff.district_admin, tree.district, credit_code="123")
    assert "has 18 characters" in err.value.message_dict["credit_code"][0]
    assert not PropertyCompany.objects.exists()


def test_a_duplicate_credit_code_is_refused_clearly(tree, staff):
    create(staff.district_admin, tree.district)
    with pytest.raises(ValidationError) as err:
        create(staff.district_admin, tree.street, name="别的名字")
    assert err.value.message_dict == {
        "credit_code": ["A company with this unified social credit code is already registered."]}
    assert PropertyCompany.objects.count() == 1


def test_party_organisations_and_enterprises_must_be_visible_to_the_actor(tree, staff, orgs):
    far_street = make_area(AreaKind.STREET, make_area(AreaKind.DISTRICT), name="外区街道")
    far_org = make_org("leshan-community", 1, area=make_area(AreaKind.COMMUNITY, far_street))
    far_enterprise = EnterpriseFactory(area=make_area(AreaKind.COMMUNITY, far_street))
    with pytest.raises(ValidationError) as err:
        create(staff.district_admin, tree.district, party_org=far_org, party_branch=far_org,
               enterprise=far_enterprise)
    assert err.value.message_dict == {
        "party_org": ["Choose a party organisation within your scope."],
        "party_branch": ["Choose a party organisation within your scope."],
        "enterprise": ["Choose an enterprise within your scope."],
    }
    assert not PropertyCompany.objects.exists()


def test_an_update_records_what_changed_and_nothing_when_nothing_did(tree, staff, orgs):
    company = create(staff.district_admin, tree.district, address="旧址")
    same = services.company_update(actor=staff.district_admin, company=company, name=company.name, address="旧址")
    assert same.updated_at == company.updated_at
    assert events(company, "updated").count() == 0
    services.company_update(actor=staff.district_admin, company=company, address="新址", party_org=orgs["committee"])
    event = events(company, "updated").get()
    assert (event.from_state, event.to_state) == ("address: 旧址; party_org: ", "address: 新址; party_org: 府街社区党委")
    with pytest.raises(ValidationError):
        services.company_update(actor=staff.district_admin, company=company, is_active=False)
    with pytest.raises(PermissionDenied):
        services.company_update(actor=staff.street_staff, company=company, address="别处")


def test_a_company_is_deactivated_once(tree, staff):
    company = create(staff.district_admin, tree.district)
    services.company_set_active(actor=staff.district_admin, company=company, is_active=False)
    services.company_set_active(actor=staff.district_admin, company=company, is_active=False)
    assert not PropertyCompany.objects.get(pk=company.pk).is_active
    assert [e.action for e in events(company)] == ["created", "deactivated"]


def test_company_staff_are_added_once_and_removed(tree, staff, scene):
    user = UserFactory(username="clerk")
    assert company_ids_for(user) == ()
    services.company_staff_add(actor=staff.district_admin, company=scene.company, user=user)
    services.company_staff_add(actor=staff.district_admin, company=scene.company, user=user)
    assert CompanyStaff.objects.filter(user=user).count() == 1
    assert company_ids_for(user) == (scene.company.pk,)  # the cached ids were forgotten
    assert services.company_staff_remove(actor=staff.district_admin, company=scene.company, user=user)
    assert not services.company_staff_remove(actor=staff.district_admin, company=scene.company, user=user)
    assert company_ids_for(user) == ()
    assert [(e.action, e.from_state, e.to_state) for e in events(scene.company)] == [
        ("staff_added", "", "clerk"), ("staff_removed", "clerk", "")]
    with pytest.raises(PermissionDenied):
        services.company_staff_add(actor=staff.community_staff, company=scene.company, user=user)
    with pytest.raises(PermissionDenied):
        services.company_staff_add(actor=scene.worker, company=scene.company, user=user)


# --- scoping -------------------------------------------------------------------------------------


def test_who_sees_which_company(tree, staff, scene, api):
    expected = {
        "superuser": {scene.company.pk, scene.other.pk},
        "district_admin": {scene.company.pk, scene.other.pk},
        "street_staff": {scene.company.pk},  # registered above them
        "other_street_staff": {scene.company.pk, scene.other.pk},
        "community_staff": {scene.company.pk},  # serves their compound (and is above them)
        "other_community_staff": {scene.company.pk},
        "grid_secretary": {scene.company.pk},
        "compound_secretary": {scene.company.pk},
    }
    for name, ids in expected.items():
        body = api(getattr(staff, name)).get(COMPANIES).json()
        assert {c["id"] for c in body["results"]} == ids, name
    assert {c["id"] for c in api(scene.worker).get(COMPANIES).json()["results"]} == {scene.company.pk}
    assert api(scene.worker).get(f"{COMPANIES}{scene.other.pk}/").status_code == 404
    assert api(staff.street_staff).get(f"{COMPANIES}{scene.other.pk}/").status_code == 404
    assert api(staff.no_role).get(COMPANIES).status_code == 403


def test_a_community_sees_a_company_serving_its_compound_from_elsewhere(tree, staff, api):
    company = make_company(tree.other_street, name="外街物业")
    make_mode(tree.compound, company=company)
    client = api(staff.community_staff)
    assert client.get(f"{COMPANIES}{company.pk}/").status_code == 200
    assert client.patch(f"{COMPANIES}{company.pk}/", {"address": "x"}).status_code == 403
    assert api(staff.other_community_staff).get(f"{COMPANIES}{company.pk}/").status_code == 404


# --- API -------------------------------------------------------------------------------------------


def test_api_registers_a_company_and_reads_it_back(tree, staff, api, orgs):
    client = api(staff.district_admin)
    response = client.post(COMPANIES, {"name": "府街物业", "credit_code": make_uscc(7101), "area": tree.district.pk,
                                       "party_org": orgs["committee"].pk, "contact_phone": "0833-1234567"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["area_name"] == "市中区" and body["party_org_name"] == "府街社区党委"
    assert body["has_party_org"] is True and body["compounds_count"] == 0
    assert body["compounds"] == [] and body["staff"] == []


def test_api_refuses_bad_input_and_stores_nothing(tree, staff, api):
    client = api(staff.district_admin)
    create(staff.district_admin, tree.district)
    dup = client.post(COMPANIES, {"name": "又一家", "credit_code": make_uscc(7001), "area": tree.district.pk})
    assert dup.status_code == 400
    assert dup.json() == {"credit_code": ["A company with this unified social credit code is already registered."]}
    bad_area = client.post(COMPANIES, {"name": "又一家", "credit_code": make_uscc(7102), "area": tree.compound.pk})
    assert bad_area.status_code == 400 and "area" in bad_area.json()
    assert PropertyCompany.objects.count() == 1


def test_api_read_only_users_and_company_staff_get_403_on_writes(tree, staff, scene, api):
    data = {"name": "x", "credit_code": make_uscc(7103), "area": tree.district.pk}
    for user in (staff.grid_secretary, staff.compound_secretary, scene.worker):
        client = api(user)
        assert client.post(COMPANIES, data).status_code == 403
        assert client.patch(f"{COMPANIES}{scene.company.pk}/", {"address": "x"}).status_code == 403
        assert client.post(f"{COMPANIES}{scene.company.pk}/staff/", {"user": "worker"}).status_code == 403
    assert api(staff.street_staff).patch(f"{COMPANIES}{scene.company.pk}/", {"address": "x"}).status_code == 403
    assert not PropertyCompany.objects.filter(address="x").exists()


def test_api_patches_fields_and_active_flag(tree, staff, scene, api):
    client = api(staff.district_admin)
    response = client.patch(f"{COMPANIES}{scene.company.pk}/", {"address": "新址", "is_active": False})
    assert response.status_code == 200, response.json()
    assert (response.json()["address"], response.json()["is_active"]) == ("新址", False)
    assert [e.action for e in events(scene.company)] == ["updated", "deactivated"]


def test_api_detail_lists_compounds_served_and_staff_for_editors_only(tree, staff, scene, api):
    body = api(staff.district_admin).get(f"{COMPANIES}{scene.company.pk}/").json()
    assert body["compounds"] == [{"id": tree.compound.pk, "name": "桂花小区", "kind": "professional",
                                  "started_on": "2026-01-01", "contract_ends_on": None}]
    assert body["staff"] == ["worker"] and body["compounds_count"] == 1
    assert api(staff.community_staff).get(f"{COMPANIES}{scene.company.pk}/").json()["staff"] is None
    assert api(scene.worker).get(f"{COMPANIES}{scene.company.pk}/").json()["compounds"][0]["name"] == "桂花小区"


def test_api_adds_and_removes_staff_by_id_or_name(tree, staff, scene, api):
    client = api(staff.district_admin)
    clerk = UserFactory(username="clerk")
    assert client.post(f"{COMPANIES}{scene.company.pk}/staff/", {"user": str(clerk.pk)}).json()["staff"] == [
        "clerk", "worker"]
    response = client.post(f"{COMPANIES}{scene.company.pk}/staff/remove/", {"user": "worker"})
    assert response.status_code == 200 and response.json()["staff"] == ["clerk"]
    missing = client.post(f"{COMPANIES}{scene.company.pk}/staff/", {"user": "ghost"})
    assert missing.status_code == 400 and missing.json() == {"user": ["No user with this id or user name."]}


def test_api_filters_companies(tree, staff, scene, api, orgs):
    services.company_update(actor=staff.district_admin, company=scene.other, party_branch=orgs["committee"])
    client = api(staff.district_admin)

    def ids(**params):
        return {c["id"] for c in client.get(COMPANIES, params).json()["results"]}

    assert ids(search="海棠") == {scene.company.pk}
    assert ids(search=scene.other.credit_code[-6:]) == {scene.other.pk}
    assert ids(within=tree.other_street.pk) == {scene.other.pk}
    assert ids(has_party_org="true") == {scene.other.pk}
    assert ids(has_party_org="false") == {scene.company.pk}
    assert ids(is_active="false") == set()
    assert client.get(COMPANIES, {"within": 999999}).status_code == 400


def test_company_list_queries_do_not_grow_with_rows(tree, staff, api, django_assert_max_num_queries, orgs):
    def build(n):
        for _ in range(n):
            c = make_company(tree.district, party_org=orgs["committee"])
            make_mode(make_area(AreaKind.COMPOUND, tree.grid), company=c)

    build(3)
    client = api(staff.street_staff)
    with django_assert_max_num_queries(8) as small:
        assert len(client.get(COMPANIES, {"page_size": 3}).json()["results"]) == 3
    build(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(COMPANIES, {"page_size": 20}).json()["results"]) == 20
    from django.test import Client

    page = Client()
    page.force_login(staff.street_staff)
    page.get(reverse("property-company-list"), {"page_size": 10})
    with django_assert_max_num_queries(20) as html_small:
        page.get(reverse("property-company-list"), {"page_size": 10})
    with django_assert_max_num_queries(len(html_small.captured_queries)):
        assert page.get(reverse("property-company-list"), {"page_size": 20}).status_code == 200


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def browser(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_the_company_pages_follow_the_scope(tree, staff, scene, browser):
    detail = reverse("property-company-detail", args=[scene.company.pk])
    edit = reverse("property-company-edit", args=[scene.company.pk])
    c = browser(staff.district_admin)
    assert c.get(reverse("property-company-list")).status_code == 200
    page = c.get(detail).content.decode()
    assert "桂花小区" in page and "worker" in page
    assert reverse("property-company-results", args=[scene.company.pk]) in page
    assert reverse("property-company-history", args=[scene.company.pk]) in page
    assert c.get(edit).status_code == 200
    c = browser(staff.community_staff)
    assert "worker" not in c.get(detail).content.decode()
    assert c.get(edit).status_code == 403
    assert c.get(reverse("property-company-detail", args=[scene.other.pk])).status_code == 404
    c = browser(scene.worker)
    assert c.get(detail).status_code == 200
    assert c.get(edit).status_code == 403
    assert c.get(reverse("property-company-create")).status_code == 403
    assert c.get(reverse("property-company-detail", args=[scene.other.pk])).status_code == 404
    assert browser(staff.grid_secretary).get(reverse("property-company-create")).status_code == 403
    assert browser(staff.no_role).get(reverse("property-company-list")).status_code == 403


def test_the_register_form_shows_errors_and_saves(tree, staff, browser):
    c = browser(staff.district_admin)
    url = reverse("property-company-create")
    bad = c.post(url, {"name": "府街物业", "credit_code": "91370830ABC", "area": tree.district.pk}, **EN)
    assert bad.status_code == 200
    assert "has 18 characters" in bad.content.decode()
    assert not PropertyCompany.objects.exists()
    ok = c.post(url, {"name": "府街物业", "credit_code": make_uscc(7201), "area": tree.district.pk})
    company = PropertyCompany.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("property-company-detail", args=[company.pk])


def test_the_edit_form_saves_and_deactivates(tree, staff, scene, browser):
    c = browser(staff.district_admin)
    url = reverse("property-company-edit", args=[scene.company.pk])
    response = c.post(url, {"name": "海棠物业（新）", "credit_code": scene.company.credit_code,
                            "area": tree.district.pk})
    assert response.status_code == 302
    company = PropertyCompany.objects.get(pk=scene.company.pk)
    assert (company.name, company.is_active) == ("海棠物业（新）", False)


def test_staff_are_added_and_removed_from_the_company_page(tree, staff, scene, browser):
    clerk = UserFactory(username="clerk")
    c = browser(staff.district_admin)
    add = reverse("property-company-staff-add", args=[scene.company.pk])
    assert c.post(add, {"username": "ghost"}).status_code == 200
    assert c.post(add, {"username": "clerk"}).status_code == 302
    assert CompanyStaff.objects.filter(user=clerk, company=scene.company).exists()
    remove = reverse("property-company-staff-remove", args=[scene.company.pk, clerk.pk])
    assert browser(staff.community_staff).post(remove).status_code == 403
    assert browser(staff.district_admin).post(remove).status_code == 302
    assert not CompanyStaff.objects.filter(user=clerk).exists()
    assert c.post(remove).status_code == 404
