"""How each compound is served (ServiceMode): the rules of setting and ending a
mode, its history and audit trail, the API and the pages, scoped by the one rule."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from communities.models import AreaKind
from governance.models import AuditEvent
from properties import services_companies as services
from properties.models import ServiceMode

from .factories import UserFactory, make_area
from .property_factories import make_company, make_company_staff, make_mode

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MODES = "/api/v1/service-modes/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
D = datetime.date
JAN1 = D(2026, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def company(tree):
    return make_company(tree.district, name="海棠物业")


@pytest.fixture
def other_company(tree):
    return make_company(tree.district, name="张公桥物业")


def set_mode(actor, compound, kind="professional", started_on=JAN1, **fields):
    return services.service_mode_set(actor=actor, compound=compound, kind=kind, started_on=started_on, **fields)


def errors_of(call):
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.message_dict


def actions(compound):
    return list(
        AuditEvent.objects.filter(content_type__model="servicemode", object_id__in=ServiceMode.objects.filter(
            compound=compound).values("pk")).order_by("id").values_list("action", "from_state", "to_state")
    )


# --- services -------------------------------------------------------------------------------------


def test_a_first_mode_is_current_and_audited(tree, staff, company, clock):
    mode = set_mode(staff.community_staff, tree.compound, company=company, contract_ends_on=D(2028, 12, 31))
    assert mode.is_current and mode.company == company
    assert actions(tree.compound) == [("mode_set", "", "professional / 海棠物业")]


def test_a_change_ends_the_current_mode_the_day_the_new_one_starts(tree, staff, company, clock):
    first = set_mode(staff.community_staff, tree.compound, company=company)
    second = set_mode(staff.community_staff, tree.compound, kind="fallback", started_on=D(2026, 2, 15),
                      responsible_body="府街社区居委会")
    first.refresh_from_db()
    assert first.ended_on == D(2026, 2, 15) and second.is_current
    assert ServiceMode.objects.filter(compound=tree.compound).current().get() == second
    assert actions(tree.compound) == [
        ("mode_set", "", "professional / 海棠物业"),
        ("mode_ended", "professional / 海棠物业", "fallback / 府街社区居委会"),
        ("mode_set", "professional / 海棠物业", "fallback / 府街社区居委会"),
    ]


def test_the_same_mode_again_changes_nothing(tree, staff, company, clock):
    first = set_mode(staff.community_staff, tree.compound, company=company)
    again = set_mode(staff.community_staff, tree.compound, company=company, started_on=D(2026, 2, 1))
    assert again.pk == first.pk and again.started_on == D(2026, 1, 1)
    assert ServiceMode.objects.count() == 1 and len(actions(tree.compound)) == 1


def test_company_modes_need_a_company_and_no_responsible_body(tree, staff, clock):
    for kind in ("professional", "trust", "emergency"):
        errs = errors_of(lambda k=kind: set_mode(staff.community_staff, tree.compound, kind=k,
                                                 responsible_body="居委会"))
        assert errs["company"] == ["This service mode needs a property company."], kind
        assert errs["responsible_body"] == [
            "A company's service is answered for by the company: leave this empty."]
    assert not ServiceMode.objects.exists()


def test_companyless_modes_refuse_a_company_and_need_a_responsible_body(tree, staff, company, clock):
    for kind in ("agency", "area_wide", "bundled", "fallback", "self_managed"):
        errs = errors_of(lambda k=kind: set_mode(staff.community_staff, tree.compound, kind=k, company=company,
                                                 contract_ends_on=D(2027, 1, 1)))
        assert errs == {
            "company": ["This service mode has no property company: name the responsible body instead."],
            "responsible_body": ["Name the body responsible for the compound in this mode."],
            "contract_ends_on": ["Only a company's service has a contract end date."],
        }, kind
    assert set_mode(staff.community_staff, tree.compound, kind="self_managed", responsible_body="自管委").is_current


def test_an_emergency_company_needs_an_end_after_its_start(tree, staff, company, clock):
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="emergency", company=company))
    assert errs == {"contract_ends_on": ["An emergency company is engaged until an agreed date: enter it."]}
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="emergency", company=company,
                                      contract_ends_on=D(2026, 1, 1)))
    assert errs == {"contract_ends_on": ["The contract must end after it starts (2026-01-01)."]}
    assert set_mode(staff.community_staff, tree.compound, kind="emergency", company=company,
                    contract_ends_on=D(2026, 7, 1)).is_current


def test_a_trust_service_names_its_street_charity_and_accounts(tree, staff, company, clock):
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="trust", company=company))
    assert errs == {
        "trust_street": ["A trust-model service is supervised by the street: choose it."],
        "trust_charity": ["Name the supervising charity federation."],
        "accounts_url": ["A trust-model service publishes its accounts: give a link or a file."],
    }
    for wrong in (tree.other_street, tree.community):
        errs = errors_of(lambda w=wrong: set_mode(staff.district_admin, tree.compound, kind="trust", company=company,
                                                  trust_street=w, trust_charity="市慈善总会",
                                                  accounts_url="https://example.org/a"))
        assert errs == {"trust_street": ["Choose the street, town or zone the compound lies in."]}
    mode = set_mode(staff.community_staff, tree.compound, kind="trust", company=company, trust_street=tree.street,
                    trust_charity="市慈善总会", accounts_file=SimpleUploadedFile("账目 张三.pdf", PDF))
    assert mode.accounts_file.name.endswith(".pdf") and "张三" not in mode.accounts_file.name
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="fallback", responsible_body="x",
                                      trust_street=tree.street, started_on=D(2026, 2, 1)))
    assert errs == {"trust_street": [
        "Only a trust-model service has a supervising street and charity federation."]}


def test_an_accounts_file_must_be_a_pdf_or_image(tree, staff, company, clock):
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="trust", company=company,
                                      trust_street=tree.street, trust_charity="市慈善总会",
                                      accounts_file=SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")))
    assert errs == {"accounts_file": ["Choose a PDF, JPEG or PNG file."]}
    assert not ServiceMode.objects.exists()


def test_a_new_mode_cannot_start_before_the_current_one_or_in_the_future(tree, staff, company, clock):
    set_mode(staff.community_staff, tree.compound, company=company, started_on=D(2026, 1, 10))
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="fallback", responsible_body="x",
                                      started_on=D(2026, 1, 9)))
    assert errs == {"started_on": ["The new mode cannot start before the current one started (2026-01-10)."]}
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, kind="fallback", responsible_body="x",
                                      started_on=D(2026, 3, 3)))
    assert errs == {"started_on": ["A mode is recorded once it has started; it cannot start in the future."]}
    assert ServiceMode.objects.get().is_current


def test_an_inactive_or_invisible_company_takes_no_new_service(tree, staff, company, clock):
    services.company_set_active(actor=staff.district_admin, company=company, is_active=False)
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, company=company))
    assert errs == {"company": ["海棠物业 is marked inactive; it takes no new service."]}
    far = make_company(make_area(AreaKind.DISTRICT, name="外区"))
    errs = errors_of(lambda: set_mode(staff.community_staff, tree.compound, company=far))
    assert errs == {"company": ["Choose a company from the registry within your scope."]}


def test_only_staff_who_may_change_the_compound_set_its_mode(tree, staff, company, clock):
    for user in (staff.other_community_staff, staff.other_street_staff, staff.grid_secretary,
                 staff.compound_secretary):
        with pytest.raises(PermissionDenied):
            set_mode(user, tree.compound, company=company)
    worker = UserFactory()
    make_company_staff(worker, company)
    make_mode(tree.other_compound, company=company)
    with pytest.raises(PermissionDenied):
        set_mode(worker, tree.other_compound, kind="fallback", responsible_body="x", started_on=D(2026, 2, 1))
    assert errs_for_area(staff, tree) == {"compound": ["Choose a residential compound."]}
    for user in (staff.superuser, staff.district_admin, staff.street_staff):
        assert set_mode(user, tree.compound, company=company).is_current


def errs_for_area(staff, tree):
    return errors_of(lambda: set_mode(staff.community_staff, tree.grid, kind="fallback", responsible_body="x"))


def test_ending_a_mode_leaves_the_compound_without_one(tree, staff, company, clock):
    mode = set_mode(staff.community_staff, tree.compound, company=company)
    errs = errors_of(lambda: services.service_mode_end(actor=staff.community_staff, mode=mode,
                                                       ended_on=D(2025, 12, 31)))
    assert errs == {"ended_on": ["The mode cannot end before it started (2026-01-01)."]}
    ended = services.service_mode_end(actor=staff.community_staff, mode=mode, note="合同到期")
    assert ended.ended_on == D(2026, 3, 2)
    assert not ServiceMode.objects.current().exists()
    with pytest.raises(services.ServiceModeConflict):
        services.service_mode_end(actor=staff.community_staff, mode=mode)
    with pytest.raises(PermissionDenied):
        services.service_mode_end(actor=staff.grid_secretary, mode=mode)
    assert actions(tree.compound)[-1] == ("mode_ended", "professional / 海棠物业", "")


def test_the_database_keeps_one_current_mode_per_compound(tree, company):
    from django.db import IntegrityError, transaction

    make_mode(tree.compound, company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_mode(tree.compound, kind="fallback")


# --- API -------------------------------------------------------------------------------------------


def payload(tree, company, **fields):
    return {"compound": tree.compound.pk, "kind": "professional", "company": company.pk,
            "started_on": "2026-01-01", **fields}


def test_api_sets_a_mode_201_then_200_when_identical(tree, staff, company, api, clock):
    client = api(staff.community_staff)
    created = client.post(MODES, payload(tree, company, contract_ends_on="2028-12-31"))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["compound_name"], body["company_name"], body["is_current"]) == ("桂花小区", "海棠物业", True)
    again = client.post(MODES, payload(tree, company, contract_ends_on="2028-12-31", started_on="2026-02-01"))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert ServiceMode.objects.count() == 1


def test_api_400_stores_nothing_and_names_the_field(tree, staff, company, api, clock):
    client = api(staff.community_staff)
    response = client.post(MODES, payload(tree, company, kind="fallback"))
    assert response.status_code == 400
    assert response.json() == {
        "company": ["This service mode has no property company: name the responsible body instead."],
        "responsible_body": ["Name the body responsible for the compound in this mode."],
    }
    outside = client.post(MODES, payload(tree, company, compound=tree.other_compound.pk))
    assert outside.status_code == 400 and "compound" in outside.json()
    assert not ServiceMode.objects.exists()


def test_api_accepts_the_accounts_as_a_multipart_upload(tree, staff, company, api, clock):
    client = api(staff.community_staff)
    data = payload(tree, company, kind="trust", trust_street=tree.street.pk, trust_charity="市慈善总会",
                   accounts_file=SimpleUploadedFile("accounts.pdf", PDF, content_type="application/pdf"))
    response = client.post(MODES, data, format="multipart")
    assert response.status_code == 201, response.json()
    mode = ServiceMode.objects.get()
    assert response.json()["accounts_file_url"] == reverse("property-service-mode-accounts", args=[mode.pk])


def test_api_writes_are_403_for_read_only_users_and_company_staff(tree, staff, company, api, clock):
    mode = make_mode(tree.compound, company=company)
    worker = UserFactory()
    make_company_staff(worker, company)
    for user in (staff.grid_secretary, staff.compound_secretary, worker):
        client = api(user)
        assert client.post(MODES, {"compound": tree.compound.pk, "kind": "fallback", "responsible_body": "x",
                                   "started_on": "2026-02-01"}).status_code == 403
        assert client.post(f"{MODES}{mode.pk}/end/", {}).status_code == 403
    assert api(staff.other_community_staff).post(f"{MODES}{mode.pk}/end/", {}).status_code == 404
    assert ServiceMode.objects.get().is_current


def test_api_ends_a_mode_once(tree, staff, company, api, clock):
    mode = make_mode(tree.compound, company=company)
    client = api(staff.community_staff)
    response = client.post(f"{MODES}{mode.pk}/end/", {"ended_on": "2026-02-28", "note": "到期"})
    assert response.status_code == 200 and response.json()["ended_on"] == "2026-02-28"
    assert client.post(f"{MODES}{mode.pk}/end/", {}).status_code == 409


def test_who_sees_which_modes(tree, staff, company, other_company, api):
    mine = make_mode(tree.compound, company=company)
    theirs = make_mode(tree.other_compound, company=other_company)
    expected = {
        "superuser": {mine.pk, theirs.pk}, "district_admin": {mine.pk, theirs.pk},
        "street_staff": {mine.pk, theirs.pk}, "other_street_staff": set(),
        "community_staff": {mine.pk}, "other_community_staff": {theirs.pk},
        "grid_secretary": {mine.pk}, "compound_secretary": {mine.pk},
    }
    for name, ids in expected.items():
        assert {m["id"] for m in api(getattr(staff, name)).get(MODES).json()["results"]} == ids, name
    worker = UserFactory()
    make_company_staff(worker, company)
    assert {m["id"] for m in api(worker).get(MODES).json()["results"]} == {mine.pk}
    assert api(worker).get(f"{MODES}{theirs.pk}/").status_code == 404
    assert api(staff.community_staff).get(f"{MODES}{theirs.pk}/").status_code == 404
    assert api(staff.no_role).get(MODES).status_code == 403


def test_api_filters_modes(tree, staff, company, api, clock):
    old = make_mode(tree.compound, company=company, ended_on=D(2026, 1, 10))
    now = make_mode(tree.compound, kind="fallback", started_on=D(2026, 1, 10))
    other = make_mode(tree.other_compound, company=company)
    client = api(staff.street_staff)

    def ids(**params):
        response = client.get(MODES, params)
        assert response.status_code == 200, response.json()
        return {m["id"] for m in response.json()["results"]}

    assert ids(compound=tree.compound.pk) == {old.pk, now.pk}
    assert ids(within=tree.community.pk) == {old.pk, now.pk}
    assert ids(kind="fallback") == {now.pk}
    assert ids(kind=["fallback", "professional"]) == {old.pk, now.pk, other.pk}
    assert ids(company=company.pk) == {old.pk, other.pk}
    assert ids(current="true") == {now.pk, other.pk}
    assert ids(current="false") == {old.pk}
    assert ids(current="true", has_company="false") == {now.pk}
    assert ids(search="柏杨") == {other.pk}


def test_mode_list_queries_do_not_grow_with_rows(tree, staff, company, api, client, django_assert_max_num_queries):
    def build(n):
        for i in range(n):
            compound = make_area(AreaKind.COMPOUND, tree.grid)
            make_mode(compound, company=company if i % 2 else None, kind="professional" if i % 2 else "fallback")

    build(3)
    api_client = api(staff.community_staff)
    client.force_login(staff.community_staff)
    url = reverse("property-service-mode-list")
    with django_assert_max_num_queries(8) as small:
        assert len(api_client.get(MODES, {"page_size": 3}).json()["results"]) == 3
    client.get(url, {"page_size": 10})
    with django_assert_max_num_queries(20) as html_small:
        client.get(url, {"page_size": 10})
    build(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api_client.get(MODES, {"page_size": 20}).json()["results"]) == 20
    with django_assert_max_num_queries(len(html_small.captured_queries)):
        assert client.get(url, {"page_size": 20}).status_code == 200


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def browser(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_the_compound_service_page_shows_current_history_and_timeline(tree, staff, company, browser, clock):
    set_mode(staff.community_staff, tree.compound, company=company)
    set_mode(staff.community_staff, tree.compound, kind="fallback", responsible_body="府街社区居委会",
             started_on=D(2026, 2, 1))
    url = reverse("property-compound-service", args=[tree.compound.pk])
    page = browser(staff.community_staff).get(url, **EN).content.decode()
    assert "府街社区居委会" in page and "海棠物业" in page
    assert "service mode set" in page and "Fallback by the community" in page
    assert reverse("property-service-mode-set", args=[tree.compound.pk]) in page
    read_only = browser(staff.grid_secretary).get(url, **EN).content.decode()
    assert reverse("property-service-mode-set", args=[tree.compound.pk]) not in read_only
    assert browser(staff.other_community_staff).get(url).status_code == 404
    assert browser(staff.community_staff).get(
        reverse("property-compound-service", args=[tree.grid.pk])).status_code == 404


def test_the_set_form_is_403_for_readers_and_shows_errors(tree, staff, company, browser, clock):
    url = reverse("property-service-mode-set", args=[tree.compound.pk])
    assert browser(staff.grid_secretary).get(url).status_code == 403
    worker = UserFactory()
    make_company_staff(worker, company)
    assert browser(worker).get(url).status_code == 404
    c = browser(staff.community_staff)
    assert c.get(url).status_code == 200
    bad = c.post(url, {"kind": "emergency", "company": company.pk, "started_on": "2026-01-01"}, **EN)
    assert bad.status_code == 200
    assert "An emergency company is engaged until an agreed date" in bad.content.decode()
    assert not ServiceMode.objects.exists()
    ok = c.post(url, {"kind": "trust", "company": company.pk, "started_on": "2026-01-01",
                      "trust_street": tree.street.pk, "trust_charity": "市慈善总会",
                      "accounts_file": SimpleUploadedFile("a.pdf", PDF)})
    assert ok.status_code == 302 and ok.url == reverse("property-compound-service", args=[tree.compound.pk])
    mode = ServiceMode.objects.get()
    assert mode.kind == "trust" and mode.accounts_file
    download = c.get(reverse("property-service-mode-accounts", args=[mode.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert browser(staff.other_community_staff).get(
        reverse("property-service-mode-accounts", args=[mode.pk])).status_code == 404


def test_the_end_form_ends_once_then_409(tree, staff, company, browser, clock):
    mode = make_mode(tree.compound, company=company)
    url = reverse("property-service-mode-end", args=[mode.pk])
    assert browser(staff.grid_secretary).post(url).status_code == 403
    c = browser(staff.community_staff)
    assert c.post(url, {"ended_on": "2026-02-01"}).status_code == 302
    assert ServiceMode.objects.get().ended_on == D(2026, 2, 1)
    assert c.post(url, {}).status_code == 409


def test_the_mode_list_filters_compounds_without_a_company(tree, staff, company, browser):
    make_mode(tree.compound, kind="bundled", responsible_body="与相邻小区捆绑")
    make_mode(tree.other_compound, company=company)
    c = browser(staff.street_staff)
    mine = reverse("property-compound-service", args=[tree.compound.pk])
    theirs = reverse("property-compound-service", args=[tree.other_compound.pk])
    page = c.get(reverse("property-service-mode-list"), {"current": "true", "has_company": "false"}).content.decode()
    assert mine in page and theirs not in page
    page = c.get(reverse("property-service-mode-list"), {"kind": "professional"}).content.decode()
    assert theirs in page and mine not in page
    assert browser(staff.no_role).get(reverse("property-service-mode-list")).status_code == 403
