"""Major-decision pre-reports (重大物业决策事项事前报告): filing (late after the decision
day, not late on it), the community's answer (acknowledge, object with a note) or the
committee's withdrawal — only from filed (409) —, the time line, the API and the pages,
scoped at every staff level."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from governance.models import AuditEvent
from properties import services_committees as services
from properties.models import DecisionReport, DecisionStatus

from .concurrent import run_together
from .factories import UserFactory
from .property_factories import make_committee, make_company, make_company_staff

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = datetime.date(2026, 3, 2)  # local date of the clock fixture (09:00 UTC = 17:00 in Shanghai)


@pytest.fixture
def committee(tree, clock):
    return make_committee(tree.community, [tree.compound], name="桂花小区业主委员会")


@pytest.fixture
def other_committee(tree, clock):
    return make_committee(tree.other_community, [tree.other_compound], name="柏杨小区业主委员会")


def file(committee, actor, decision_on=TODAY + datetime.timedelta(days=10), **fields):
    fields.setdefault("kind", "repair_fund")
    fields.setdefault("title", "动用维修资金更换电梯")
    return services.decision_report_file(actor=actor, committee=committee, decision_on=decision_on, **fields)


@pytest.fixture
def report(staff, committee):
    return file(committee, staff.community_staff, amount_yuan=Decimal("380000.00"))


def actions(report):
    return list(AuditEvent.objects.filter(content_type__model="decisionreport", object_id=report.pk)
                .order_by("id").values_list("action", "from_state", "to_state", "note"))


# --- filing ----------------------------------------------------------------------------------


def test_a_report_filed_ahead_is_filed_and_not_late(staff, report, clock):
    assert (report.status, report.is_late, report.filed_at, report.filed_by) == (
        DecisionStatus.FILED, False, clock(), staff.community_staff)
    assert actions(report) == [("filed", "", "filed", "")]


def test_a_report_filed_on_the_decision_day_is_not_late(staff, committee, clock):
    assert not file(committee, staff.community_staff, decision_on=TODAY).is_late


def test_a_report_filed_after_the_decision_day_is_late(staff, committee, clock):
    late = file(committee, staff.community_staff, decision_on=TODAY - datetime.timedelta(days=1))
    assert late.is_late
    assert actions(late) == [("filed", "", "filed", "late")]


def test_lateness_goes_by_the_local_date(staff, committee, clock):
    clock.advance(hours=11)  # 20:00 UTC on 2 March is 04:00 on 3 March in Shanghai
    assert file(committee, staff.community_staff, decision_on=TODAY).is_late


def test_filing_validates_and_refuses_dissolved_committees(staff, committee):
    with pytest.raises(ValidationError) as exc:
        file(committee, staff.community_staff, kind="nonsense", title=" ", amount_yuan=Decimal("-1"))
    assert set(exc.value.message_dict) == {"kind", "title", "amount_yuan"}
    services.committee_dissolve(actor=staff.community_staff, committee=committee)
    with pytest.raises(services.CommitteeConflict):
        file(committee, staff.community_staff)
    assert not DecisionReport.objects.exists()


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("superuser", True), ("district_admin", True), ("street_staff", True), ("community_staff", True),
     ("other_street_staff", False), ("other_community_staff", False), ("grid_secretary", False),
     ("compound_secretary", False), ("no_role", False)],
)
def test_filing_is_for_staff_who_may_change_the_committee(staff, committee, user, allowed):
    if allowed:
        assert file(committee, getattr(staff, user)).pk
    else:
        with pytest.raises(PermissionDenied):
            file(committee, getattr(staff, user))


# --- answering ---------------------------------------------------------------------------------


def test_the_community_acknowledges_a_filed_report(staff, report, clock):
    clock.advance(days=1)
    done = services.decision_report_acknowledge(actor=staff.community_staff, report=report, note="已收悉")
    assert (done.status, done.reviewed_by, done.reviewed_at, done.review_note) == (
        DecisionStatus.ACKNOWLEDGED, staff.community_staff, clock(), "已收悉")
    assert actions(report)[-1] == ("acknowledged", "filed", "acknowledged", "已收悉")


def test_an_objection_needs_a_note(staff, report):
    with pytest.raises(ValidationError) as exc:
        services.decision_report_object(actor=staff.community_staff, report=report, note="  ")
    assert "note" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == DecisionStatus.FILED
    done = services.decision_report_object(actor=staff.community_staff, report=report, note="未附三家报价")
    assert (done.status, done.review_note) == (DecisionStatus.OBJECTED, "未附三家报价")


@pytest.mark.parametrize("first", ["acknowledge", "object", "withdraw"])
@pytest.mark.parametrize("then", ["acknowledge", "object", "withdraw"])
def test_answers_are_only_possible_from_filed(staff, report, first, then):
    getattr(services, f"decision_report_{first}")(actor=staff.community_staff, report=report, note="说明")
    with pytest.raises(services.DecisionReportConflict):
        getattr(services, f"decision_report_{then}")(actor=staff.community_staff, report=report, note="再次")
    assert len(actions(report)) == 2


def test_withdrawing_does_not_count_as_the_communitys_answer(staff, report):
    done = services.decision_report_withdraw(actor=staff.community_staff, report=report, note="方案调整")
    assert (done.status, done.reviewed_by, done.reviewed_at) == (DecisionStatus.WITHDRAWN, None, None)


@pytest.mark.parametrize("user", ["grid_secretary", "compound_secretary", "other_community_staff", "other_street_staff"])
def test_only_staff_who_may_change_the_community_answer(staff, report, user):
    with pytest.raises(PermissionDenied):
        services.decision_report_acknowledge(actor=getattr(staff, user), report=report)
    with pytest.raises(PermissionDenied):
        services.decision_report_object(actor=getattr(staff, user), report=report, note="x")
    report.refresh_from_db()
    assert report.status == DecisionStatus.FILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_an_acknowledgement_and_an_objection_at_once_leave_exactly_one(tree, staff):
    committee = make_committee(tree.community, [tree.compound])
    report = file(committee, staff.community_staff)
    results = run_together(
        lambda: services.decision_report_acknowledge(actor=staff.community_staff, report=report).status,
        lambda: services.decision_report_object(actor=staff.street_staff, report=report, note="异议").status,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), services.DecisionReportConflict)
    assert AuditEvent.objects.filter(content_type__model="decisionreport", object_id=report.pk).count() == 2


# --- API -----------------------------------------------------------------------------------------


def test_api_files_a_report_and_flags_it_late(staff, api, committee, clock):
    body = {"committee": committee.pk, "kind": "fee_change", "title": "调整物业费", "decision_on": "2026-03-01",
            "amount_yuan": "1.80", "description": "每平方米由1.5元调整为1.8元"}
    response = api(staff.community_staff).post("/api/v1/decision-reports/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["is_late"], data["filed_by"], data["community_name"]) == (
        "filed", True, "community", "府街社区")
    assert [e["action"] for e in data["timeline"]] == ["filed"]


def test_api_refuses_a_bad_report_with_400_and_stores_nothing(staff, api, committee):
    body = {"committee": committee.pk, "kind": "fee_change", "title": "", "decision_on": "2026-03-01"}
    assert api(staff.community_staff).post("/api/v1/decision-reports/", body, format="json").status_code == 400
    assert not DecisionReport.objects.exists()


def test_api_refuses_filing_by_read_only_users_and_outsiders(staff, api, committee):
    body = {"committee": committee.pk, "kind": "fee_change", "title": "调整物业费", "decision_on": "2026-04-01"}
    assert api(staff.grid_secretary).post("/api/v1/decision-reports/", body, format="json").status_code == 403
    response = api(staff.other_community_staff).post("/api/v1/decision-reports/", body, format="json")
    assert response.status_code == 400 and "committee" in response.json()  # not theirs to name
    assert not DecisionReport.objects.exists()


def test_api_answers_and_then_conflicts(staff, api, report):
    client = api(staff.community_staff)
    url = f"/api/v1/decision-reports/{report.pk}"
    response = client.post(f"{url}/object/", {"note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    response = client.post(f"{url}/acknowledge/", {"note": "已收悉"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged" and body["reviewed_by"] == "community"
    assert [(e["action"], e["from_state"], e["to_state"]) for e in body["timeline"]] == [
        ("filed", "", "filed"), ("acknowledged", "filed", "acknowledged")]
    assert client.post(f"{url}/object/", {"note": "异议"}, format="json").status_code == 409
    assert client.post(f"{url}/withdraw/", {}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("user", "read", "act"),
    [("superuser", 200, 200), ("district_admin", 200, 200), ("street_staff", 200, 200),
     ("community_staff", 200, 200), ("grid_secretary", 200, 403), ("compound_secretary", 200, 403),
     ("other_community_staff", 404, 404), ("other_street_staff", 404, 404), ("no_role", 403, 403)],
)
def test_api_reports_are_scoped(staff, api, report, user, read, act):
    client = api(getattr(staff, user))
    assert client.get(f"/api/v1/decision-reports/{report.pk}/").status_code == read
    assert client.post(f"/api/v1/decision-reports/{report.pk}/acknowledge/", {}, format="json").status_code == act


def test_api_company_staff_see_no_reports(tree, api, report):
    user = UserFactory(username="company")
    make_company_staff(user, make_company(tree.district))
    assert api(user).get("/api/v1/decision-reports/").json()["count"] == 0
    assert api(user).get(f"/api/v1/decision-reports/{report.pk}/").status_code == 404


def test_api_filters_reports(tree, staff, api, committee, other_committee, clock):
    file(committee, staff.community_staff, title="按时")
    late = file(committee, staff.community_staff, title="迟报", decision_on=TODAY - datetime.timedelta(days=3))
    services.decision_report_acknowledge(actor=staff.community_staff, report=late)
    file(other_committee, staff.street_staff, title="柏杨")
    client = api(staff.street_staff)

    def titles(**params):
        return sorted(r["title"] for r in client.get("/api/v1/decision-reports/", params).json()["results"])

    assert titles(late="true") == ["迟报"]
    assert titles(status="filed") == ["按时", "柏杨"]
    assert titles(committee=other_committee.pk) == ["柏杨"]
    assert titles(within=tree.community.pk) == ["按时", "迟报"]
    assert api(staff.community_staff).get("/api/v1/decision-reports/").json()["count"] == 2


def test_api_report_list_queries_do_not_grow(staff, api, committee, django_assert_max_num_queries):
    for i in range(3):
        file(committee, staff.community_staff, title=f"报告{i}")
    client = api(staff.community_staff)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/v1/decision-reports/", {"page_size": 3})
    for i in range(17):
        file(committee, staff.street_staff, title=f"更多{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/decision-reports/", {"page_size": 20})
    assert len(response.json()["results"]) == 20


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_list_page_flags_late_reports_and_filters(staff, login, committee, clock):
    file(committee, staff.community_staff, title="按时报告")
    file(committee, staff.community_staff, title="迟报报告", decision_on=TODAY - datetime.timedelta(days=2))
    client = login(staff.community_staff)
    response = client.get(reverse("property-decision-report-list"), **EN)
    page = response.content.decode()
    assert response.status_code == 200 and "按时报告" in page and "迟报报告" in page and ">late<" in page
    response = client.get(reverse("property-decision-report-list"), {"late": "true"})
    assert [r.title for r in response.context["object_list"]] == ["迟报报告"]


def test_detail_page_offers_answers_to_the_community_only(staff, login, report):
    url = reverse("property-decision-report-detail", args=[report.pk])
    response = login(staff.community_staff).get(url, **EN)
    assert set(response.context["forms"]) == {"acknowledge", "object", "withdraw"}
    assert reverse("property-decision-report-object", args=[report.pk]) in response.content.decode()
    response = login(staff.grid_secretary).get(url, **EN)
    assert response.status_code == 200 and response.context["forms"] == {}
    assert login(staff.other_community_staff).get(url).status_code == 404


def test_acknowledging_on_the_page_then_a_second_answer_is_409(staff, login, report):
    client = login(staff.community_staff)
    response = client.post(reverse("property-decision-report-acknowledge", args=[report.pk]), {"note": "已收悉"})
    assert response.status_code == 302 and response.url == reverse("property-decision-report-detail", args=[report.pk])
    response = client.post(reverse("property-decision-report-object", args=[report.pk]), {"note": "异议"}, **EN)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was changed." in page and "cannot be objected to now" in page
    report.refresh_from_db()
    assert report.status == DecisionStatus.ACKNOWLEDGED
    timeline = [e.action for e in response.context["timeline"]]
    assert timeline == ["filed", "acknowledged"]


def test_an_objection_without_a_note_shows_the_form_again(staff, login, report):
    response = login(staff.community_staff).post(
        reverse("property-decision-report-object", args=[report.pk]), {"note": ""}, **EN)
    assert response.status_code == 200
    assert response.context["forms"]["object"].errors["note"] == ["Say what the objections are."]
    report.refresh_from_db()
    assert report.status == DecisionStatus.FILED


def test_read_only_staff_posting_an_answer_get_403(staff, login, report):
    response = login(staff.grid_secretary).post(reverse("property-decision-report-acknowledge", args=[report.pk]), {})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == DecisionStatus.FILED


def test_file_page_preselects_the_committee_and_files(staff, login, committee):
    client = login(staff.community_staff)
    url = reverse("property-decision-report-create")
    response = client.get(url, {"committee": committee.pk})
    assert response.status_code == 200 and response.context["form"].initial == {"committee": committee.pk}
    response = client.post(url, {"committee": committee.pk, "kind": "change_company", "title": "选聘新物业",
                                 "decision_on": "2026-04-10", "description": "", "amount_yuan": ""})
    report = DecisionReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("property-decision-report-detail", args=[report.pk])
    assert login(staff.grid_secretary).get(url, {"committee": committee.pk}).status_code == 403


def test_report_list_page_queries_do_not_grow(staff, login, committee, django_assert_max_num_queries):
    for i in range(25):
        file(committee, staff.community_staff, title=f"报告{i}")
    client = login(staff.community_staff)
    url = reverse("property-decision-report-list")
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url, {"page_size": 10})
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 20})
    assert len(response.context["object_list"]) == 20
