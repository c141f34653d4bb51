"""Mediated property disputes: recording and editing through the services (company
must serve or have served the compound, no future dates, scope), counts per node and
half year, the ``disputes/`` API with its filters and scoping (company staff read
their company's disputes), and the staff pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from governance.models import AuditEvent
from properties.models import Dispute, DisputeOutcome
from properties.selectors_residents import dispute_counts, parse_half
from properties.services_residents import dispute_record, dispute_update

from .factories import UserFactory
from .property_factories import make_company, make_company_staff, make_dispute, make_mode

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def company(tree):
    company = make_company(tree.district, name="海棠物业")
    make_mode(tree.compound, company=company)
    return company


def record(actor, compound, **overrides):
    fields = {"subject": "电梯维修费分摊", "parties": "5栋业主与物业公司", "outcome": DisputeOutcome.RESOLVED,
              "mediated_on": D(2026, 2, 20)}
    fields.update(overrides)
    return dispute_record(actor=actor, compound=compound, **fields)


# --- services ----------------------------------------------------------------------------------


def test_a_dispute_is_recorded_with_an_audit_event(tree, staff, company, clock):
    dispute = record(staff.community_staff, tree.compound, company=company, note="  调解成功 ")
    assert dispute.recorded_by == staff.community_staff
    assert dispute.note == "调解成功"
    event = AuditEvent.objects.get(content_type__model="dispute", object_id=dispute.pk)
    assert (event.action, event.to_state) == ("created", "resolved")


def test_a_company_that_served_the_compound_before_may_be_named(tree, staff, clock):
    former = make_company(tree.district, name="前物业")
    make_mode(tree.compound, company=former, started_on=D(2020, 1, 1), ended_on=D(2025, 1, 1))
    assert record(staff.community_staff, tree.compound, company=former).company == former


def test_a_company_that_never_served_the_compound_is_refused(tree, staff, company, clock):
    with pytest.raises(ValidationError) as err:
        record(staff.street_staff, tree.other_compound, company=company)
    assert "never served" in err.value.message_dict["company"][0]
    assert not Dispute.objects.exists()


def test_a_mediation_date_in_the_future_is_refused(tree, staff, clock):
    with pytest.raises(ValidationError) as err:
        record(staff.community_staff, tree.compound, mediated_on=D(2026, 3, 3))
    assert "mediated_on" in err.value.message_dict
    assert record(staff.community_staff, tree.compound, mediated_on=D(2026, 3, 2)).pk


def test_subject_parties_and_a_valid_outcome_are_required(tree, staff, clock):
    with pytest.raises(ValidationError) as err:
        record(staff.community_staff, tree.compound, subject="  ", parties="", outcome="won")
    assert {"subject", "parties", "outcome"} <= set(err.value.message_dict)


@pytest.mark.parametrize("who", ["grid_secretary", "compound_secretary", "other_community_staff", "no_role"])
def test_only_staff_who_may_change_the_compound_record_disputes(tree, staff, clock, who):
    with pytest.raises(PermissionDenied):
        record(getattr(staff, who), tree.compound)


def test_an_update_records_the_outcome_change_and_an_empty_update_writes_nothing(tree, staff, clock):
    dispute = record(staff.community_staff, tree.compound, outcome=DisputeOutcome.PARTLY)
    dispute_update(actor=staff.community_staff, dispute=dispute, outcome=DisputeOutcome.RESOLVED, note="二次调解")
    event = AuditEvent.objects.filter(action="updated").get()
    assert (event.from_state, event.to_state) == ("partly", "resolved")
    assert event.note == "outcome, note"
    dispute_update(actor=staff.community_staff, dispute=dispute, outcome=DisputeOutcome.RESOLVED)
    assert AuditEvent.objects.filter(action="updated").count() == 1


def test_an_update_cannot_move_a_dispute_out_of_scope_or_be_made_by_read_only_staff(tree, staff, clock):
    dispute = record(staff.community_staff, tree.compound)
    with pytest.raises(PermissionDenied):
        dispute_update(actor=staff.community_staff, dispute=dispute, compound=tree.other_compound)
    with pytest.raises(PermissionDenied):
        dispute_update(actor=staff.grid_secretary, dispute=dispute, outcome=DisputeOutcome.UNRESOLVED)
    assert Dispute.objects.get().compound == tree.compound


# --- counts ---------------------------------------------------------------------------------------


@pytest.fixture
def counted(tree, company):
    make_dispute(tree.compound, D(2026, 1, 5), DisputeOutcome.RESOLVED, company=company)
    make_dispute(tree.compound, D(2026, 6, 30), DisputeOutcome.UNRESOLVED)
    make_dispute(tree.compound, D(2026, 7, 1), DisputeOutcome.RESOLVED)  # H2
    make_dispute(tree.other_compound, D(2026, 3, 1), DisputeOutcome.REFERRED)
    make_dispute(tree.other_compound, D(2025, 12, 31), DisputeOutcome.RESOLVED)  # last year


def test_counts_per_child_node_and_outcome_for_a_half_year(tree, staff, counted):
    result = dispute_counts(staff.district_admin, tree.street, D(2026, 1, 1), D(2026, 6, 30))
    assert result.totals.total == 3
    assert result.totals.as_dict() == {"resolved": 1, "partly": 0, "unresolved": 1, "referred": 1}
    rows = {row.area.name: row for row in result.children}
    assert set(rows) == {"府街社区", "柏杨社区"}
    assert rows["府街社区"].as_dict() == {"resolved": 1, "partly": 0, "unresolved": 1, "referred": 0}
    assert rows["柏杨社区"].total == 1
    second_half = dispute_counts(staff.district_admin, tree.street, D(2026, 7, 1), D(2026, 12, 31))
    assert second_half.totals.total == 1


def test_counts_at_the_district_go_by_street(tree, staff, counted):
    result = dispute_counts(staff.superuser, tree.district, D(2026, 1, 1), D(2026, 12, 31))
    rows = {row.area.name: row.total for row in result.children}
    assert rows == {"海棠街道": 4, "张公桥街道": 0}


def test_counts_only_count_what_the_user_sees(tree, staff, counted):
    result = dispute_counts(staff.community_staff, tree.street, D(2026, 1, 1), D(2026, 12, 31))
    assert result.totals.total == 3
    assert [row.area.name for row in result.children] == ["府街社区"]


def test_counts_of_a_compound_have_no_children(tree, staff, counted):
    result = dispute_counts(staff.community_staff, tree.compound, D(2026, 1, 1), D(2026, 12, 31))
    assert result.children == [] and result.totals.total == 3


def test_counts_take_a_constant_number_of_queries(tree, staff, counted, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        dispute_counts(staff.superuser, tree.street, D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(("value", "expected"), [("2026H1", (2026, 1)), ("2025h2", (2025, 2))])
def test_half_years_are_read_like_2026H1(value, expected):
    assert parse_half(value) == expected


@pytest.mark.parametrize("value", ["2026H3", "H1", "2026", ""])
def test_other_half_years_are_refused(value):
    with pytest.raises(ValueError):
        parse_half(value)


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("superuser", 5), ("district_admin", 5), ("street_staff", 5), ("community_staff", 3),
        ("other_community_staff", 2), ("grid_secretary", 3), ("compound_secretary", 3),
        ("other_street_staff", 0),
    ],
)
def test_the_dispute_list_is_scoped_at_every_level(api, staff, counted, who, count):
    response = api(getattr(staff, who)).get("/api/v1/disputes/")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_company_staff_read_the_disputes_of_their_company_only(api, tree, company, counted):
    user = UserFactory()
    make_company_staff(user, company)
    response = api(user).get("/api/v1/disputes/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1 and rows[0]["company"] == company.pk
    dispute = Dispute.objects.get(company=company)
    assert api(user).patch(f"/api/v1/disputes/{dispute.pk}/", {"outcome": "partly"}, format="json").status_code == 403
    created = api(user).post("/api/v1/disputes/", {"compound": tree.compound.pk, "subject": "x", "parties": "y",
                                                  "outcome": "resolved", "mediated_on": "2026-02-01"}, format="json")
    assert created.status_code == 403
    assert api(UserFactory()).get("/api/v1/disputes/").status_code == 403


def test_the_api_records_and_updates_a_dispute(api, tree, staff, company, clock):
    client = api(staff.community_staff)
    response = client.post("/api/v1/disputes/", {
        "compound": tree.compound.pk, "company": company.pk, "subject": "噪音", "parties": "2栋业主",
        "outcome": "partly", "mediated_on": "2026-02-28",
    }, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["company_name"] == "海棠物业"
    patched = client.patch(f"/api/v1/disputes/{pk}/", {"outcome": "resolved"}, format="json")
    assert patched.status_code == 200 and patched.json()["outcome"] == "resolved"
    future = client.patch(f"/api/v1/disputes/{pk}/", {"mediated_on": "2027-01-01"}, format="json")
    assert future.status_code == 400 and "mediated_on" in future.json()
    assert api(staff.grid_secretary).patch(f"/api/v1/disputes/{pk}/", {"outcome": "partly"},
                                           format="json").status_code == 403
    assert api(staff.other_community_staff).patch(f"/api/v1/disputes/{pk}/", {"outcome": "partly"},
                                                  format="json").status_code == 404
    assert client.delete(f"/api/v1/disputes/{pk}/").status_code == 405


def test_the_api_filters_disputes(api, tree, staff, company, counted):
    client = api(staff.district_admin)

    def count(**params):
        response = client.get("/api/v1/disputes/", params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count(half="2026H1") == 3
    assert count(half="2026H2") == 1
    assert count(outcome="resolved") == 3
    assert count(outcome=["unresolved", "referred"]) == 2
    assert count(compound=tree.other_compound.pk) == 2
    assert count(company=company.pk) == 1
    assert count(within=tree.community.pk) == 3
    assert count(mediated_from="2026-03-01", mediated_to="2026-06-30") == 2
    assert client.get("/api/v1/disputes/", {"half": "2026H3"}).status_code == 400


def test_the_counts_endpoint(api, tree, staff, counted):
    response = api(staff.street_staff).get("/api/v1/disputes/counts/",
                                           {"area": tree.street.pk, "year": 2026, "half": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("2026-01-01", "2026-06-30")
    assert body["totals"] == {"total": 3, "by_outcome": {"resolved": 1, "partly": 0, "unresolved": 1, "referred": 1}}
    assert {c["area"]["name"]: c["total"] for c in body["children"]} == {"府街社区": 2, "柏杨社区": 1}
    year = api(staff.street_staff).get("/api/v1/disputes/counts/", {"area": tree.street.pk, "year": 2026}).json()
    assert year["totals"]["total"] == 4
    # An area outside the caller's view is not a valid choice.
    assert api(staff.other_street_staff).get("/api/v1/disputes/counts/",
                                             {"area": tree.street.pk}).status_code == 400


def test_the_dispute_list_queries_do_not_grow_with_the_page(api, tree, staff, company, django_assert_max_num_queries):
    client = api(staff.street_staff)
    for _ in range(3):
        make_dispute(tree.compound, company=company)
    with django_assert_max_num_queries(10) as small:
        assert client.get("/api/v1/disputes/").json()["count"] == 3
    for _ in range(20):
        make_dispute(tree.other_compound)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/disputes/").json()["count"] == 23


# --- staff pages ------------------------------------------------------------------------------------


def test_the_dispute_pages_list_record_show_and_edit(client, tree, staff, company, clock):
    client.force_login(staff.community_staff)
    assert client.get(reverse("property-dispute-list")).status_code == 200
    form_url = reverse("property-dispute-create") + f"?compound={tree.compound.pk}"
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {
        "compound": tree.compound.pk, "company": company.pk, "subject": "车位", "parties": "业主代表与物业",
        "outcome": "resolved", "mediated_on": "2026-03-01", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    dispute = Dispute.objects.get()
    detail = client.get(response["Location"], **EN).content.decode()
    assert "车位" in detail and "Resolved by mediation" in detail
    edit = reverse("property-dispute-edit", args=[dispute.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {
        "compound": tree.compound.pk, "company": company.pk, "subject": "车位", "parties": "业主代表与物业",
        "outcome": "partly", "mediated_on": "2026-03-01", "note": "",
    })
    assert response.status_code == 302
    assert Dispute.objects.get().outcome == "partly"


def test_the_form_shows_the_services_errors(client, tree, staff, company, clock):
    client.force_login(staff.street_staff)
    response = client.post(reverse("property-dispute-create"), {
        "compound": tree.other_compound.pk, "company": company.pk, "subject": "车位", "parties": "业主",
        "outcome": "resolved", "mediated_on": "2026-03-05",
    }, **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "never served" in page and "cannot be in the future" in page
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("grid_secretary", 403), ("other_community_staff", 404),
                                             ("other_street_staff", 404)])
def test_the_edit_page_is_scoped(client, tree, staff, who, status):
    dispute = make_dispute(tree.compound)
    client.force_login(getattr(staff, who))
    assert client.get(reverse("property-dispute-edit", args=[dispute.pk])).status_code == status


def test_company_staff_open_the_detail_of_their_companys_dispute(client, tree, company):
    dispute = make_dispute(tree.compound, company=company)
    other = make_dispute(tree.compound)
    user = UserFactory()
    make_company_staff(user, company)
    client.force_login(user)
    assert client.get(reverse("property-dispute-detail", args=[dispute.pk])).status_code == 200
    assert client.get(reverse("property-dispute-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("property-dispute-edit", args=[dispute.pk])).status_code == 403


def test_the_counts_page_shows_each_child_node(client, tree, staff, counted, clock):
    client.force_login(staff.street_staff)
    response = client.get(reverse("property-dispute-counts"), {"area": tree.street.pk, "year": 2026, "half": 1})
    assert response.status_code == 200
    page = response.content.decode()
    assert "府街社区" in page and "柏杨社区" in page
    default = client.get(reverse("property-dispute-counts"))
    assert default.status_code == 200 and "海棠街道" in default.content.decode()
    bad = client.get(reverse("property-dispute-counts"), {"area": tree.other_street.pk, "year": 2026})
    assert bad.status_code == 200 and "alert-error" in bad.content.decode()
