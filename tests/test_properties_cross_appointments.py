"""Cross-appointments (双向进入、交叉任职): recording and ending them (rules, messages,
nothing stored on refusal, 409 on ending twice, audit), the counts per node, the API
and the pages at every staff level and for a company's staff, with bounded queries."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities.models import AreaKind
from governance.models import AuditEvent
from properties import services_committees
from properties.models import CrossAppointment, CrossAppointmentKind
from properties.selectors_coverage import cross_appointment_counts
from properties.services_crossappointments import (
    CrossAppointmentConflict,
    cross_appointment_end,
    cross_appointment_record,
)

from .factories import UserFactory, make_area
from .property_factories import (
    make_appointment,
    make_committee,
    make_company,
    make_company_staff,
    make_mode,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
COMPANY_KIND = CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE
CADRE_KIND = CrossAppointmentKind.CADRE_ON_COMMITTEE


@pytest.fixture
def company(tree):
    company = make_company(tree.street, name="海棠物业")
    make_mode(tree.compound, company=company)
    return company


@pytest.fixture
def committee(tree):
    return make_committee(tree.community, [tree.compound], name="桂花小区业委会")


def record(tree, orgs, default_company, actor, **fields):
    fields.setdefault("kind", COMPANY_KIND)
    fields.setdefault("person_name", "  王芳 ")
    fields.setdefault("community", tree.community)
    fields.setdefault("started_on", datetime.date(2026, 1, 5))
    if fields["kind"] == COMPANY_KIND:
        fields.setdefault("company", default_company)
        fields.setdefault("party_org", orgs["committee"])
    return cross_appointment_record(actor=actor, **fields)


# --- recording -----------------------------------------------------------------------------


def test_it_records_a_company_member_on_the_community_party_committee(tree, staff, orgs, company, clock):
    appointment = record(tree, orgs, company, staff.community_staff)
    assert appointment.person_name == "王芳"
    assert (appointment.company, appointment.party_org, appointment.ended_on) == (company, orgs["committee"], None)
    event = AuditEvent.objects.get(object_id=appointment.pk, action="created")
    assert event.actor == staff.community_staff and event.to_state == COMPANY_KIND


def test_it_records_a_cadre_on_a_committee_without_a_member_record(tree, staff, orgs, company, committee, clock):
    appointment = record(tree, orgs, company, staff.street_staff, kind=CADRE_KIND, committee=committee)
    assert appointment.committee == committee and appointment.member is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"person_name": "   "}, "person_name", "Enter the person's name."),
        ({"started_on": datetime.date(2026, 3, 3)}, "started_on", "The start cannot be in the future."),
        ({"started_on": None}, "started_on", "Enter the date the appointment started."),
        ({"company": None}, "company", "Choose the property company the person works for."),
        ({"party_org": None}, "party_org", "Choose the community's party committee."),
        ({"kind": "mayor"}, "kind", "Choose the kind of cross-appointment."),
    ],
)
def test_it_refuses_incomplete_input_and_stores_nothing(tree, staff, orgs, company, clock, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        record(tree, orgs, company, staff.community_staff, **fields)
    assert message in exc.value.message_dict[field]
    assert not CrossAppointment.objects.exists()
    assert not AuditEvent.objects.filter(action="created", to_state__in=CrossAppointmentKind.values).exists()


def test_the_party_committee_must_be_the_communitys_own(tree, staff, orgs, company, clock):
    for org in (orgs["other_committee"], orgs["grid_org"]):
        with pytest.raises(ValidationError) as exc:
            record(tree, orgs, company, staff.street_staff, party_org=org)
        assert exc.value.message_dict["party_org"] == ["Choose the party organisation of 府街社区 itself."]
    assert not CrossAppointment.objects.exists()


def test_the_company_must_be_visible_to_the_actor(tree, staff, orgs, clock):
    foreign = make_company(tree.other_street, name="张公桥物业")
    with pytest.raises(ValidationError) as exc:
        record(tree, orgs, foreign, staff.community_staff)
    assert exc.value.message_dict["company"] == ["Choose a company you can see."]


def test_a_cadre_needs_an_active_committee_of_that_community(tree, staff, orgs, company, committee, clock):
    elsewhere = make_committee(tree.other_community, [tree.other_compound], name="柏杨业委会")
    dissolved = make_committee(tree.community, [], name="旧业委会", dissolved_on=datetime.date(2025, 1, 1))
    cases = [
        (None, "Choose the owners' committee."),
        (elsewhere, "柏杨业委会 does not belong to 府街社区."),
        (dissolved, "旧业委会 was dissolved on 2025-01-01."),
    ]
    for chosen, message in cases:
        with pytest.raises(ValidationError) as exc:
            record(tree, orgs, company, staff.street_staff, kind=CADRE_KIND, committee=chosen)
        assert exc.value.message_dict["committee"] == [message]
    with pytest.raises(ValidationError) as exc:
        record(tree, orgs, company, staff.street_staff, kind=CADRE_KIND, committee=committee, company=company)
    assert "company" in exc.value.message_dict
    assert not CrossAppointment.objects.exists()


def test_the_community_must_be_a_community_or_grid(tree, staff, orgs, company, clock):
    with pytest.raises(ValidationError) as exc:
        record(tree, orgs, company, staff.street_staff, community=tree.street)
    assert "community" in exc.value.message_dict
    record(tree, orgs, company, staff.street_staff, kind=CADRE_KIND, community=tree.grid,
           committee=make_committee(tree.grid, [tree.compound], name="网格自管委"))


@pytest.mark.parametrize("who", ["other_community_staff", "other_street_staff", "grid_secretary", "compound_secretary",
                                 "no_role"])
def test_it_refuses_actors_who_may_not_change_the_community(tree, staff, orgs, company, clock, who):
    with pytest.raises(PermissionDenied):
        record(tree, orgs, company, getattr(staff, who))
    assert not CrossAppointment.objects.exists()


def test_it_refuses_the_same_appointment_twice(tree, staff, orgs, company, clock):
    record(tree, orgs, company, staff.community_staff)
    with pytest.raises(ValidationError) as exc:
        record(tree, orgs, company, staff.community_staff, person_name="王芳")
    assert exc.value.message_dict["person_name"] == ["王芳 already holds this appointment."]
    assert CrossAppointment.objects.count() == 1


# --- ending --------------------------------------------------------------------------------


def test_it_ends_an_appointment_once_and_refuses_a_second_end(tree, staff, orgs, company, clock):
    appointment = record(tree, orgs, company, staff.community_staff)
    ended = cross_appointment_end(actor=staff.community_staff, appointment=appointment,
                                  ended_on=datetime.date(2026, 2, 1), note=" 换届 ")
    assert ended.ended_on == datetime.date(2026, 2, 1)
    event = AuditEvent.objects.get(object_id=appointment.pk, action="ended")
    assert (event.from_state, event.to_state, event.note) == (COMPANY_KIND, "ended", "换届")
    with pytest.raises(CrossAppointmentConflict):
        cross_appointment_end(actor=staff.community_staff, appointment=appointment, ended_on=datetime.date(2026, 2, 2))
    appointment.refresh_from_db()
    assert appointment.ended_on == datetime.date(2026, 2, 1)


def test_it_refuses_an_end_before_the_start_or_in_the_future(tree, staff, orgs, company, clock):
    appointment = record(tree, orgs, company, staff.community_staff)
    with pytest.raises(ValidationError) as exc:
        cross_appointment_end(actor=staff.community_staff, appointment=appointment, ended_on=datetime.date(2026, 1, 4))
    assert exc.value.message_dict["ended_on"] == ["An appointment cannot end before it started (2026-01-05)."]
    with pytest.raises(ValidationError):
        cross_appointment_end(actor=staff.community_staff, appointment=appointment, ended_on=datetime.date(2026, 4, 1))
    assert cross_appointment_end(actor=staff.community_staff, appointment=appointment, ended_on=None).ended_on == \
        datetime.date(2026, 3, 2)


def test_it_refuses_an_end_by_someone_who_may_only_read(tree, staff, orgs, company, clock):
    appointment = record(tree, orgs, company, staff.community_staff)
    with pytest.raises(PermissionDenied):
        cross_appointment_end(actor=staff.grid_secretary, appointment=appointment)


def test_an_appointment_following_a_committee_member_ends_with_the_membership(tree, staff, committee, clock):
    member = services_committees.committee_member_add(
        actor=staff.community_staff, committee=committee, name="李强", role="member", is_community_cadre=True,
    )
    appointment = member.cross_appointment
    with pytest.raises(ValidationError):
        cross_appointment_end(actor=staff.community_staff, appointment=appointment)
    services_committees.committee_member_leave(actor=staff.community_staff, member=member)
    appointment.refresh_from_db()
    assert appointment.ended_on == datetime.date(2026, 3, 2)


# --- counts --------------------------------------------------------------------------------


@pytest.fixture
def counted(tree, staff, orgs, company, committee, clock):
    """府街社区: 2 cadres (one ended), 1 company member; 柏杨社区: 1 company member; the grid: 1 cadre."""
    for name in ("甲", "乙"):
        services_committees.committee_member_add(actor=staff.superuser, committee=committee, name=name,
                                                 role="member", is_community_cadre=True)
    services_committees.committee_member_leave(actor=staff.superuser, member=committee.members.get(name="乙"))
    make_appointment(tree.community, company=company, party_org=orgs["committee"])
    make_appointment(tree.other_community, company=company, party_org=orgs["other_committee"])
    make_appointment(tree.grid, kind=CADRE_KIND, committee=make_committee(tree.grid, [], name="网格业委会"))


def test_counts_per_child_node_and_in_total(tree, staff, counted):
    result = cross_appointment_counts(staff.district_admin, tree.street)
    assert result.totals.as_dict() == {"cadre_on_committee": 2, "company_member_on_party_committee": 2, "total": 4}
    rows = {row.area.pk: row.as_dict() for row in result.children}
    assert rows[tree.community.pk] == {"cadre_on_committee": 2, "company_member_on_party_committee": 1, "total": 3}
    assert rows[tree.other_community.pk]["total"] == 1
    community = cross_appointment_counts(staff.district_admin, tree.community)
    assert community.own.as_dict()["total"] == 2
    assert [(row.area.pk, row.total) for row in community.children] == [(tree.grid.pk, 1)]


def test_counts_take_two_queries_whatever_the_children(tree, staff, counted, django_assert_max_num_queries):
    user = staff.district_admin
    cross_appointment_counts(user, tree.district)
    for _ in range(5):
        make_area(AreaKind.STREET, tree.district)
    with django_assert_max_num_queries(2):
        assert cross_appointment_counts(user, tree.district).totals.total == 4


# --- API ------------------------------------------------------------------------------------


@pytest.fixture
def company_user(company):
    user = UserFactory(username="company-staff")
    make_company_staff(user, company)
    return user


@pytest.fixture
def two(tree, orgs, company):
    other_company = make_company(tree.street, name="柏杨物业")
    return (
        make_appointment(tree.community, company=company, party_org=orgs["committee"], person_name="王芳"),
        make_appointment(tree.other_community, company=other_company, party_org=orgs["other_committee"],
                         person_name="赵敏"),
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("superuser", {"王芳", "赵敏"}), ("district_admin", {"王芳", "赵敏"}), ("street_staff", {"王芳", "赵敏"}),
        ("other_street_staff", set()), ("community_staff", {"王芳"}), ("other_community_staff", {"赵敏"}),
        # a community's records are context (read-only) for the grid and compound below it
        ("grid_secretary", {"王芳"}), ("compound_secretary", {"王芳"}),
    ],
)
def test_api_list_is_scoped_at_every_level(tree, staff, api, two, who, expected):
    response = api(getattr(staff, who)).get("/api/v1/cross-appointments/")
    assert response.status_code == 200
    assert {row["person_name"] for row in response.json()["results"]} == expected


def test_api_company_staff_read_their_companys_appointments_only(tree, staff, api, two, company_user):
    client = api(company_user)
    assert [r["person_name"] for r in client.get("/api/v1/cross-appointments/").json()["results"]] == ["王芳"]
    assert client.get(f"/api/v1/cross-appointments/{two[1].pk}/").status_code == 404
    assert client.post(f"/api/v1/cross-appointments/{two[0].pk}/end/", {}).status_code == 403
    assert client.post("/api/v1/cross-appointments/", {}).status_code == 403
    assert api(staff.no_role).get("/api/v1/cross-appointments/").status_code == 403


def test_api_records_and_ends_an_appointment(tree, staff, api, orgs, company, clock):
    client = api(staff.community_staff)
    response = client.post("/api/v1/cross-appointments/", {
        "kind": COMPANY_KIND, "person_name": "王芳", "community": tree.community.pk,
        "company": company.pk, "party_org": orgs["committee"].pk, "started_on": "2026-01-05",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["company_name"], body["party_org_name"], body["is_current"]) == ("海棠物业", "府街社区党委", True)
    end_url = f"/api/v1/cross-appointments/{body['id']}/end/"
    response = client.post(end_url, {"ended_on": "2026-02-01"}, format="json")
    assert response.status_code == 200
    assert (response.json()["ended_on"], response.json()["is_current"]) == ("2026-02-01", False)
    assert client.post(end_url, {}, format="json").status_code == 409
    assert reverse("cross-appointment-end", args=[body["id"]]) == end_url


def test_api_answers_400_403_and_404(tree, staff, api, orgs, company, two, clock):
    payload = {"kind": COMPANY_KIND, "person_name": "王芳", "community": tree.community.pk,
               "company": company.pk, "party_org": orgs["other_committee"].pk, "started_on": "2026-01-05"}
    response = api(staff.street_staff).post("/api/v1/cross-appointments/", payload, format="json", **EN)
    assert response.status_code == 400
    assert "party_org" in response.json()
    assert api(staff.grid_secretary).post("/api/v1/cross-appointments/", payload, format="json").status_code == 403
    # another community's staff do not see 府街社区 at all
    other = api(staff.other_community_staff)
    assert other.post("/api/v1/cross-appointments/", payload, format="json").status_code == 400
    assert other.post(f"/api/v1/cross-appointments/{two[0].pk}/end/", {}).status_code == 404
    assert not CrossAppointment.objects.filter(person_name="王芳").exclude(pk=two[0].pk).exists()


def test_api_counts(tree, staff, api, counted):
    response = api(staff.street_staff).get("/api/v1/cross-appointments/counts/", {"area": tree.street.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {"cadre_on_committee": 2, "company_member_on_party_committee": 2, "total": 4}
    assert {row["area"]["name"]: row["total"] for row in body["children"]} == {"府街社区": 3, "柏杨社区": 1}
    assert api(staff.community_staff).get("/api/v1/cross-appointments/counts/",
                                          {"area": tree.street.pk}).status_code == 404
    assert api(staff.street_staff).get("/api/v1/cross-appointments/counts/").status_code == 400


def test_api_filters(tree, staff, api, counted, company):
    client = api(staff.superuser)

    def names(**params):
        return sorted(r["person_name"] for r in client.get("/api/v1/cross-appointments/", params).json()["results"])

    assert len(names(kind=CADRE_KIND)) == 3
    assert len(names(kind=CADRE_KIND, current="true")) == 2
    assert len(names(within=tree.other_community.pk)) == 1
    assert len(names(community=tree.grid.pk)) == 1
    assert len(names(company=company.pk)) == 2
    assert client.get("/api/v1/cross-appointments/", {"within": 999999}).status_code == 400


def test_api_list_takes_the_same_queries_for_3_or_20_rows(tree, staff, api, orgs, company,
                                                           django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            make_appointment(tree.community, company=company, party_org=orgs["committee"])
            make_appointment(tree.community, kind=CADRE_KIND, committee=make_committee(tree.community, []))

    build(2)
    client = api(staff.community_staff)
    with django_assert_max_num_queries(10) as small:
        assert client.get("/api/v1/cross-appointments/", {"page_size": 3}).status_code == 200
    build(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/cross-appointments/", {"page_size": 20})
    assert len(response.json()["results"]) == 20


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("superuser", 200), ("district_admin", 200), ("street_staff", 200), ("other_street_staff", 200),
     ("community_staff", 200), ("grid_secretary", 200), ("compound_secretary", 200), ("no_role", 403)],
)
def test_list_page_at_every_level(client, tree, staff, two, who, expected):
    client.force_login(getattr(staff, who))
    response = client.get(reverse("property-cross-appointment-list"))
    assert response.status_code == expected
    if who == "community_staff":
        assert [a.person_name for a in response.context["object_list"]] == ["王芳"]
        assert response.context["object_list"][0].may_end
    if who == "grid_secretary":
        assert [(a.person_name, a.may_end) for a in response.context["object_list"]] == [("王芳", False)]


def test_list_page_for_company_staff(client, two, company_user):
    client.force_login(company_user)
    response = client.get(reverse("property-cross-appointment-list"))
    assert response.status_code == 200
    assert [(a.person_name, a.may_end) for a in response.context["object_list"]] == [("王芳", False)]


def test_list_page_queries_do_not_grow_with_the_page(client, tree, staff, orgs, company,
                                                     django_assert_max_num_queries):
    client.force_login(staff.community_staff)
    for _ in range(3):
        make_appointment(tree.community, company=company, party_org=orgs["committee"])
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse("property-cross-appointment-list"), {"page_size": 10}).status_code == 200
    for _ in range(17):
        make_appointment(tree.community, company=company, party_org=orgs["committee"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("property-cross-appointment-list"), {"page_size": 20}).status_code == 200


def test_create_page_records_and_refuses(client, tree, staff, orgs, company, clock):
    client.force_login(staff.community_staff)
    url = reverse("property-cross-appointment-create")
    assert client.get(url, {"community": tree.community.pk}).status_code == 200
    data = {"kind": COMPANY_KIND, "person_name": "王芳", "community": tree.community.pk, "company": company.pk,
            "party_org": orgs["other_committee"].pk, "started_on": "2026-01-05"}
    response = client.post(url, data, **EN)
    assert response.status_code == 200  # other_committee is not offered: a form error
    assert not CrossAppointment.objects.exists()
    data["party_org"] = orgs["committee"].pk
    response = client.post(url, data)
    assert response.status_code == 302
    assert CrossAppointment.objects.get().person_name == "王芳"


def test_create_page_is_refused_to_readers(client, tree, staff, company_user):
    for user in (staff.grid_secretary, company_user):
        client.force_login(user)
        assert client.get(reverse("property-cross-appointment-create")).status_code == 403
    client.force_login(staff.other_community_staff)
    assert client.get(reverse("property-cross-appointment-create"), {"community": tree.community.pk}).status_code == 404
    client.force_login(staff.other_community_staff)  # sees the street above, may not change it
    assert client.get(reverse("property-cross-appointment-create"), {"community": tree.street.pk}).status_code == 403


def test_end_page_ends_once_then_answers_409(client, tree, staff, two, clock):
    url = reverse("property-cross-appointment-end", args=[two[0].pk])
    client.force_login(staff.grid_secretary)
    assert client.get(url).status_code == 403  # sees the community above, may not change it
    client.force_login(staff.other_community_staff)
    assert client.post(url, {}).status_code == 404
    client.force_login(staff.community_staff)
    assert client.get(url).status_code == 200
    assert client.post(url, {"ended_on": "2026-03-01"}).status_code == 302
    two[0].refresh_from_db()
    assert two[0].ended_on == datetime.date(2026, 3, 1)
    response = client.post(url, {"ended_on": "2026-03-02"}, **EN)
    assert response.status_code == 409
    assert "ended on 2026-03-01 already" in response.content.decode()


def test_counts_page(client, tree, staff, counted):
    client.force_login(staff.street_staff)
    response = client.get(reverse("property-cross-appointment-counts"))
    assert response.status_code == 200
    assert response.context["result"].totals.total == 4
    client.force_login(staff.community_staff)
    assert client.get(reverse("property-cross-appointment-counts"), {"area": tree.street.pk}).status_code == 404
    assert client.get(reverse("property-cross-appointment-counts")).context["result"].own.total == 2


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_counts_14_cadres_and_19_company_members(settings, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from communities.models import Area
    from properties.selectors_coverage import three_coverage

    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("load_demo", "--no-wishes", stdout=StringIO())
    root = UserFactory(username="root-demo", is_superuser=True)
    county = Area.objects.get(code="360521")
    counts = cross_appointment_counts(root, county)
    assert counts.totals.as_dict() == {"cadre_on_committee": 14, "company_member_on_party_committee": 19,
                                       "total": 33}
    assert sum(row.total for row in counts.children) + counts.own.total == 33
    coverage = three_coverage(root, county)
    totals = coverage.totals
    # every compound has a party organisation and a current mode; 194 have a committee
    assert (totals.compounds, totals.with_party_org, totals.with_service) == (208, 208, 208)
    assert totals.with_committee == totals.all_three == 194
    assert coverage.missing_committee.count == 14
