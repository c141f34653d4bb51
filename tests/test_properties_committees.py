"""Owners' and self-management committees: the compounds rule, terms, members (one
director; a cadre member is a cross-appointment), dissolving, the party share (631 of
992 = 63.6%), the API and the pages, at every staff level, with bounded queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from communities.models import AreaKind
from governance.models import AuditEvent
from properties import services_committees as services
from properties.models import (
    Committee,
    CommitteeMember,
    CommitteeTerm,
    CrossAppointment,
    CrossAppointmentKind,
    MemberRole,
)
from properties.selectors_committees import party_share, share_percent

from .concurrent import run_together
from .factories import UserFactory, make_area
from .property_factories import (
    add_member,
    add_members,
    make_committee,
    make_company,
    make_company_staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
START, END = datetime.date(2024, 1, 1), datetime.date(2029, 1, 1)


def create(tree, actor, compounds=None, community=None, **fields):
    fields.setdefault("name", "桂花小区业主委员会")
    fields.setdefault("kind", "owners")
    fields.setdefault("term_started_on", START)
    fields.setdefault("term_ends_on", END)
    return services.committee_create(
        actor=actor, community=community or tree.community,
        compounds=[tree.compound] if compounds is None else compounds, **fields,
    )


@pytest.fixture
def committee(tree, staff, clock):
    return create(tree, staff.community_staff)


@pytest.fixture
def company_user(tree):
    user = UserFactory(username="company")
    make_company_staff(user, make_company(tree.district))
    return user


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def events(obj, action):
    return AuditEvent.objects.filter(
        content_type__model=type(obj)._meta.model_name, object_id=obj.pk, action=action
    ).count()


# --- creating and changing ------------------------------------------------------------------


def test_creating_a_committee_writes_term_one_and_an_audit_event(tree, staff, clock):
    committee = create(tree, staff.community_staff, elected_on=datetime.date(2023, 12, 20))
    assert list(committee.compounds.all()) == [tree.compound]
    term = CommitteeTerm.objects.get(committee=committee)
    assert (term.number, term.started_on, term.ends_on, term.elected_on) == (1, START, END, datetime.date(2023, 12, 20))
    event = AuditEvent.objects.get(object_id=committee.pk, content_type__model="committee", action="created")
    assert event.to_state == "term 1 (ends 2029-01-01)"


def test_a_grid_may_anchor_a_committee_but_a_street_may_not(tree, staff, clock):
    assert create(tree, staff.community_staff, community=tree.grid).community == tree.grid
    with pytest.raises(ValidationError) as exc:
        create(tree, staff.street_staff, community=tree.street, compounds=[tree.other_compound])
    assert "community" in exc.value.message_dict


def test_compounds_must_be_compounds_inside_the_community(tree, staff, clock):
    with pytest.raises(ValidationError) as exc:
        create(tree, staff.street_staff, compounds=[tree.other_compound])
    assert "柏杨小区 does not lie in 府街社区." in exc.value.message_dict["compounds"]
    with pytest.raises(ValidationError) as exc:
        create(tree, staff.street_staff, compounds=[tree.building])
    assert "1栋 is not a residential compound." in exc.value.message_dict["compounds"]
    with pytest.raises(ValidationError) as exc:
        create(tree, staff.street_staff, compounds=[])
    assert "compounds" in exc.value.message_dict
    assert not Committee.objects.exists()


def test_a_compound_in_an_active_committee_is_refused_naming_both(tree, staff, committee):
    with pytest.raises(ValidationError) as exc:
        create(tree, staff.street_staff, name="第二业委会")
    assert exc.value.message_dict["compounds"] == [
        "桂花小区 already belongs to the active committee 桂花小区业主委员会."
    ]
    assert Committee.objects.count() == 1 and CommitteeTerm.objects.count() == 1


def test_a_dissolved_committee_frees_its_compounds(tree, staff, committee):
    services.committee_dissolve(actor=staff.community_staff, committee=committee,
                                dissolved_on=datetime.date(2026, 2, 1), note="业主大会决定解散")
    second = create(tree, staff.community_staff, name="新一届业委会")
    assert list(second.compounds.all()) == [tree.compound]


def test_updating_compounds_checks_the_same_rule_and_audits(tree, staff, committee):
    extra = make_area(AreaKind.COMPOUND, tree.grid, name="兰园小区")
    other = create(tree, staff.community_staff, name="兰园业委会", compounds=[extra])
    with pytest.raises(ValidationError) as exc:
        services.committee_update(actor=staff.community_staff, committee=committee, compounds=[tree.compound, extra])
    assert "兰园小区 already belongs to the active committee 兰园业委会." in exc.value.message_dict["compounds"]
    services.committee_dissolve(actor=staff.community_staff, committee=other)
    updated = services.committee_update(actor=staff.community_staff, committee=committee,
                                        compounds=[tree.compound, extra], name="桂花兰园业委会")
    assert set(updated.compounds.all()) == {tree.compound, extra} and updated.name == "桂花兰园业委会"
    event = AuditEvent.objects.get(object_id=committee.pk, content_type__model="committee", action="updated")
    assert (event.from_state, event.to_state, event.note) == ("桂花小区", "兰园小区、桂花小区", "name, compounds")


def test_an_update_that_changes_nothing_writes_nothing(tree, staff, committee):
    services.committee_update(actor=staff.community_staff, committee=committee, name=committee.name,
                              compounds=[tree.compound])
    assert events(committee, "updated") == 0


def test_a_dissolved_committee_cannot_change_or_dissolve_again(tree, staff, committee):
    services.committee_dissolve(actor=staff.community_staff, committee=committee)
    with pytest.raises(services.CommitteeConflict):
        services.committee_dissolve(actor=staff.community_staff, committee=committee)
    with pytest.raises(services.CommitteeConflict):
        services.committee_update(actor=staff.community_staff, committee=committee, name="改名")
    with pytest.raises(services.CommitteeConflict):
        services.committee_member_add(actor=staff.community_staff, committee=committee, name="张三", role="member")


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("superuser", True), ("district_admin", True), ("street_staff", True), ("community_staff", True),
     ("other_street_staff", False), ("other_community_staff", False), ("grid_secretary", False),
     ("compound_secretary", False), ("no_role", False)],
)
def test_only_staff_who_may_change_the_community_create_committees(tree, staff, clock, user, allowed):
    if allowed:
        assert create(tree, getattr(staff, user)).pk
    else:
        with pytest.raises(PermissionDenied):
            create(tree, getattr(staff, user))


# --- members --------------------------------------------------------------------------------


def add(committee, actor, name="张三", role=MemberRole.MEMBER, **fields):
    fields.setdefault("joined_on", datetime.date(2024, 1, 1))
    return services.committee_member_add(actor=actor, committee=committee, name=name, role=role, **fields)


def test_a_committee_has_one_sitting_director(staff, committee):
    add(committee, staff.community_staff, "王主任", MemberRole.DIRECTOR)
    with pytest.raises(ValidationError) as exc:
        add(committee, staff.community_staff, "李主任", MemberRole.DIRECTOR)
    assert exc.value.message_dict["role"] == [
        "王主任 is the sitting director of 桂花小区业主委员会; they must leave (or change role) first."
    ]
    assert CommitteeMember.objects.filter(committee=committee).count() == 1


def test_the_database_refuses_a_second_director_as_a_validation_error(staff, committee, monkeypatch):
    add(committee, staff.community_staff, "王主任", MemberRole.DIRECTOR)
    monkeypatch.setattr(services, "_refuse_second_director", lambda *a, **k: None)
    with pytest.raises(ValidationError) as exc:
        add(committee, staff.community_staff, "李主任", MemberRole.DIRECTOR)
    assert exc.value.message_dict["role"] == ["桂花小区业主委员会 already has a sitting director."]


def test_a_director_who_left_can_be_replaced(staff, committee):
    director = add(committee, staff.community_staff, "王主任", MemberRole.DIRECTOR)
    services.committee_member_leave(actor=staff.community_staff, member=director, left_on=datetime.date(2026, 1, 5))
    assert add(committee, staff.community_staff, "李主任", MemberRole.DIRECTOR).role == MemberRole.DIRECTOR


def test_a_cadre_member_is_a_cross_appointment_and_leaving_ends_it(tree, staff, committee):
    member = add(committee, staff.community_staff, "赵书记", is_community_cadre=True, is_party_member=True,
                 joined_on=datetime.date(2024, 3, 1))
    appointment = CrossAppointment.objects.get(member=member)
    assert (appointment.kind, appointment.person_name, appointment.community, appointment.committee,
            appointment.started_on, appointment.ended_on) == (
        CrossAppointmentKind.CADRE_ON_COMMITTEE, "赵书记", tree.community, committee, datetime.date(2024, 3, 1), None)
    services.committee_member_leave(actor=staff.community_staff, member=member, left_on=datetime.date(2026, 2, 1))
    appointment.refresh_from_db()
    member.refresh_from_db()
    assert member.left_on == appointment.ended_on == datetime.date(2026, 2, 1)
    assert CrossAppointment.objects.current().filter(kind=CrossAppointmentKind.CADRE_ON_COMMITTEE).count() == 0


def test_a_plain_member_has_no_cross_appointment(staff, committee):
    add(committee, staff.community_staff)
    assert not CrossAppointment.objects.exists()


def test_leaving_twice_or_before_joining_is_refused(staff, committee):
    member = add(committee, staff.community_staff, joined_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.committee_member_leave(actor=staff.community_staff, member=member, left_on=datetime.date(2024, 1, 1))
    assert "left_on" in exc.value.message_dict
    services.committee_member_leave(actor=staff.community_staff, member=member)
    with pytest.raises(services.CommitteeConflict):
        services.committee_member_leave(actor=staff.community_staff, member=member)


def test_becoming_or_ceasing_to_be_a_cadre_starts_or_ends_the_cross_appointment(staff, committee, clock):
    member = add(committee, staff.community_staff, "钱委员")
    services.committee_member_update(actor=staff.community_staff, member=member, is_community_cadre=True)
    appointment = CrossAppointment.objects.get(member=member)
    assert appointment.started_on == datetime.date(2026, 3, 2)
    services.committee_member_update(actor=staff.community_staff, member=member, is_community_cadre=False)
    appointment.refresh_from_db()
    assert appointment.ended_on == datetime.date(2026, 3, 2) and appointment.member is None
    services.committee_member_update(actor=staff.community_staff, member=member, is_community_cadre=True)
    assert CrossAppointment.objects.filter(committee=committee).count() == 2


def test_dissolving_ends_members_and_their_cross_appointments(staff, committee):
    cadre = add(committee, staff.community_staff, "孙委员", is_community_cadre=True)
    plain = add(committee, staff.community_staff, "周委员")
    services.committee_dissolve(actor=staff.community_staff, committee=committee, dissolved_on=datetime.date(2026, 2, 1))
    for member in (cadre, plain):
        member.refresh_from_db()
        assert member.left_on == datetime.date(2026, 2, 1)
    assert CrossAppointment.objects.get(committee=committee).ended_on == datetime.date(2026, 2, 1)


def test_read_only_staff_cannot_add_members(staff, committee):
    for user in (staff.grid_secretary, staff.compound_secretary, staff.other_community_staff):
        with pytest.raises(PermissionDenied):
            add(committee, user)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_committees_created_at_once_for_one_compound_leave_exactly_one(tree, staff):
    results = run_together(
        lambda: create(tree, staff.community_staff, name="甲业委会").pk,
        lambda: create(tree, staff.street_staff, name="乙业委会").pk,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), ValidationError)
    assert Committee.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_directors_added_at_once_leave_exactly_one(tree, staff):
    committee = create(tree, staff.community_staff)
    results = run_together(
        lambda: add(committee, staff.community_staff, "甲", MemberRole.DIRECTOR).pk,
        lambda: add(committee, staff.street_staff, "乙", MemberRole.DIRECTOR).pk,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert CommitteeMember.objects.filter(role=MemberRole.DIRECTOR).count() == 1


# --- party share ---------------------------------------------------------------------------


def test_share_percent_rounds_to_one_decimal_half_up():
    assert share_percent(631, 992) == Decimal("63.6")
    assert share_percent(1, 8) == Decimal("12.5")
    assert share_percent(1, 3) == Decimal("33.3")
    assert share_percent(2, 3) == Decimal("66.7")
    assert share_percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3
    assert share_percent(0, 0) is None


@pytest.fixture
def seed_like(tree, clock):
    """992 current members of whom 631 are party members, over four committees in two
    communities (one anchored at the grid), plus what must not count: former members
    and a dissolved committee."""
    extra = make_area(AreaKind.COMPOUND, tree.community, name="竹园小区")
    other_extra = make_area(AreaKind.COMPOUND, tree.other_community, name="梅园小区")
    c1 = make_committee(tree.community, [tree.compound], name="桂花业委会")
    c2 = make_committee(tree.grid, [extra], name="竹园自管委", kind="self_management")
    c3 = make_committee(tree.other_community, [tree.other_compound], name="柏杨业委会")
    c4 = make_committee(tree.other_community, [other_extra], name="梅园业委会")
    for c, party in ((c1, 158), (c2, 158), (c3, 158), (c4, 157)):
        add_members(c, 248, party=party, cadres=1)
    add_members(c1, 5, party=5, left_on=datetime.date(2025, 1, 1))
    gone = make_committee(tree.community, [], name="已解散业委会", dissolved_on=datetime.date(2025, 6, 1))
    add_members(gone, 10, party=10)
    return c1, c2, c3, c4


def test_party_share_is_631_of_992_that_is_63_6_percent(tree, staff, seed_like):
    result = party_share(staff.district_admin, tree.district)
    assert (result.totals.committees, result.totals.members, result.totals.party_members) == (4, 992, 631)
    assert result.totals.share == Decimal("63.6")
    assert result.totals.cadres == 4
    street = next(row for row in result.children if row.area == tree.street)
    assert (street.members, street.party_members, street.share) == (992, 631, Decimal("63.6"))
    other_street = next(row for row in result.children if row.area == tree.other_street)
    assert (other_street.members, other_street.share) == (0, None)


def test_party_share_rolls_up_per_child_and_counts_the_nodes_own_committees_apart(tree, staff, seed_like):
    result = party_share(staff.street_staff, tree.street)
    rows = {row.area.name: (row.committees, row.members, row.party_members) for row in result.children}
    assert rows == {"府街社区": (2, 496, 316), "柏杨社区": (2, 496, 315)}
    at_community = party_share(staff.community_staff, tree.community)
    assert [(r.area.name, r.members) for r in at_community.children] == [("府街一网格", 248)]
    assert (at_community.own.committees, at_community.own.members) == (1, 248)
    assert at_community.totals.members == 496
    assert {r.committee.name: r.share for r in at_community.committees} == {
        "桂花业委会": Decimal("63.7"), "竹园自管委": Decimal("63.7")}


def test_party_share_counts_only_committees_the_user_sees(tree, staff, seed_like):
    result = party_share(staff.community_staff, tree.street)
    assert (result.totals.committees, result.totals.members) == (2, 496)
    assert party_share(staff.other_street_staff, tree.district).totals.members == 0


def test_party_share_takes_a_constant_number_of_queries(tree, staff, seed_like, django_assert_max_num_queries):
    user = staff.district_admin
    party_share(user, tree.district)  # the user's scope is now cached
    with django_assert_max_num_queries(2):
        party_share(user, tree.district)
    for n in range(6):
        compound = make_area(AreaKind.COMPOUND, tree.other_community, name=f"加建小区{n}")
        add_members(make_committee(tree.other_community, [compound]), 5, party=2)
    with django_assert_max_num_queries(2):
        assert party_share(user, tree.district).totals.committees == 10


# --- API ---------------------------------------------------------------------------------------


def payload(tree, **fields):
    return {"name": "桂花小区业主委员会", "kind": "owners", "community": tree.community.pk,
            "compounds": [tree.compound.pk], "term_started_on": "2024-01-01", "term_ends_on": "2029-01-01", **fields}


def test_api_creates_a_committee_and_shows_its_detail(tree, staff, api, clock):
    response = api(staff.community_staff).post("/api/v1/committees/", payload(tree, elected_on="2023-12-20"),
                                               format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["compound_names"] == ["桂花小区"] and body["term_number"] == 1
    assert body["current_term"] == {"number": 1, "started_on": "2024-01-01", "ends_on": "2029-01-01",
                                    "elected_on": "2023-12-20"}
    assert body["terms"] == [body["current_term"]]
    assert body["members"] == [] and body["reelection_state"] == "ok" and body["party_share"] is None


def test_api_refuses_a_taken_compound_with_400_and_stores_nothing(tree, staff, api, committee):
    response = api(staff.community_staff).post("/api/v1/committees/", payload(tree, name="又一个"), format="json")
    assert response.status_code == 400
    assert response.json()["compounds"] == ["桂花小区 already belongs to the active committee 桂花小区业主委员会."]
    assert Committee.objects.count() == 1 and CommitteeTerm.objects.count() == 1


def test_api_refuses_writes_from_read_only_users_with_403(tree, staff, api, committee):
    client = api(staff.grid_secretary)
    assert client.post("/api/v1/committees/", payload(tree, compounds=[]), format="json").status_code == 403
    assert client.patch(f"/api/v1/committees/{committee.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/committees/{committee.pk}/dissolve/", {}, format="json").status_code == 403
    assert client.post("/api/v1/committee-members/", {"committee": committee.pk, "name": "张三", "role": "member"},
                       format="json").status_code == 403
    assert not CommitteeMember.objects.exists()
    assert Committee.objects.get().dissolved_on is None


@pytest.mark.parametrize(
    ("user", "status"),
    [("superuser", 200), ("district_admin", 200), ("street_staff", 200), ("community_staff", 200),
     ("grid_secretary", 200), ("compound_secretary", 200), ("other_street_staff", 404),
     ("other_community_staff", 404), ("no_role", 403)],
)
def test_api_committee_detail_is_scoped(staff, api, committee, user, status):
    assert api(getattr(staff, user)).get(f"/api/v1/committees/{committee.pk}/").status_code == status


def test_api_company_staff_see_no_committees(api, committee, company_user):
    client = api(company_user)
    assert client.get("/api/v1/committees/").json()["count"] == 0
    assert client.get(f"/api/v1/committees/{committee.pk}/").status_code == 404


def test_api_outside_the_scope_is_404_for_actions_too(staff, api, committee):
    client = api(staff.other_community_staff)
    assert client.post(f"/api/v1/committees/{committee.pk}/dissolve/", {}, format="json").status_code == 404
    member = add_member(committee)
    assert client.post(f"/api/v1/committee-members/{member.pk}/leave/", {}, format="json").status_code == 404


def test_api_updates_name_and_refuses_term_changes(tree, staff, api, committee):
    client = api(staff.community_staff)
    response = client.patch(f"/api/v1/committees/{committee.pk}/", {"name": "桂花业委会"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "桂花业委会"
    response = client.patch(f"/api/v1/committees/{committee.pk}/", {"term_ends_on": "2030-01-01"}, format="json")
    assert response.status_code == 400 and "term_ends_on" in response.json()


def test_api_dissolves_once_then_409(staff, api, committee):
    client = api(staff.community_staff)
    response = client.post(f"/api/v1/committees/{committee.pk}/dissolve/", {"dissolved_on": "2026-02-01"}, format="json")
    assert response.status_code == 200 and response.json()["reelection_state"] == "dissolved"
    assert client.post(f"/api/v1/committees/{committee.pk}/dissolve/", {}, format="json").status_code == 409


def test_api_members_add_leave_and_one_director(staff, api, committee):
    client = api(staff.community_staff)
    url = "/api/v1/committee-members/"
    body = {"committee": committee.pk, "name": "王主任", "role": "director", "is_party_member": True,
            "is_community_cadre": True, "joined_on": "2024-01-01"}
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.json()
    member = response.json()
    assert member["cross_appointment"] == CrossAppointment.objects.get().pk
    response = client.post(url, {**body, "name": "李主任", "is_community_cadre": False}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    assert CommitteeMember.objects.count() == 1
    detail = client.get(f"/api/v1/committees/{committee.pk}/").json()
    assert [m["name"] for m in detail["members"]] == ["王主任"] and detail["party_share"] == 100.0
    response = client.post(f"{url}{member['id']}/leave/", {"left_on": "2026-02-01"}, format="json")
    assert response.status_code == 200 and response.json()["left_on"] == "2026-02-01"
    assert CrossAppointment.objects.get().ended_on == datetime.date(2026, 2, 1)
    assert client.post(f"{url}{member['id']}/leave/", {}, format="json").status_code == 409
    assert client.get(url, {"current": "true"}).json()["count"] == 0


def test_api_filters_committees(tree, staff, api, clock):
    extra = make_area(AreaKind.COMPOUND, tree.grid, name="兰园小区")
    make_committee(tree.community, [tree.compound], name="到期", term_ends_on=datetime.date(2026, 3, 20))
    make_committee(tree.community, [extra], name="过期", term_ends_on=datetime.date(2026, 2, 1), kind="self_management")
    make_committee(tree.other_community, [tree.other_compound], name="远期")
    client = api(staff.street_staff)

    def names(**params):
        return sorted(c["name"] for c in client.get("/api/v1/committees/", params).json()["results"])

    assert names(overdue="true") == ["过期"]
    assert names(overdue="false") == ["到期", "远期"]
    assert names(due_within_days=30) == ["到期"]
    assert names(kind="self_management") == ["过期"]
    assert names(within=tree.other_community.pk) == ["远期"]
    assert names(community=tree.community.pk) == ["到期", "过期"]
    assert names(compound=extra.pk) == ["过期"]
    states = {c["name"]: c["reelection_state"] for c in client.get("/api/v1/committees/").json()["results"]}
    assert states == {"到期": "due_30", "过期": "overdue", "远期": "ok"}


def test_api_party_share_endpoint(tree, staff, api, seed_like):
    response = api(staff.district_admin).get("/api/v1/committees/party-share/", {"area": tree.district.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {"committees": 4, "members": 992, "party_members": 631, "cadres": 4, "share": 63.6}
    assert {c["area"]["name"]: c["share"] for c in body["children"]} == {"海棠街道": 63.6, "张公桥街道": None}
    assert len(body["committees"]) == 4
    assert api(staff.other_community_staff).get(
        "/api/v1/committees/party-share/", {"area": tree.other_street.pk}).status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/committees/", "/api/v1/committee-members/"])
def test_api_lists_take_the_same_queries_for_3_or_20_rows(tree, staff, api, clock, url, django_assert_max_num_queries):
    def build(n):
        for i in range(n):
            compound = make_area(AreaKind.COMPOUND, tree.grid)
            c = make_committee(tree.community, [compound], name=f"业委会{i:02d}")
            add_member(c, role=MemberRole.DIRECTOR)
            add_members(c, 3, party=2)
            services.committee_member_add(actor=staff.superuser, committee=c, name="干部", role="member",
                                          is_community_cadre=True)

    build(3)
    client = api(staff.community_staff)
    with django_assert_max_num_queries(10) as small:
        assert client.get(url, {"page_size": 3}).status_code == 200
    build(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 20})
    assert len(response.json()["results"]) == 20


# --- pages ---------------------------------------------------------------------------------------


def test_list_page_shows_committees_with_badges_and_filters_overdue(tree, staff, login, clock):
    extra = make_area(AreaKind.COMPOUND, tree.grid, name="兰园小区")
    make_committee(tree.community, [tree.compound], name="按期业委会")
    make_committee(tree.community, [extra], name="逾期业委会", term_ends_on=datetime.date(2026, 1, 31))
    client = login(staff.community_staff)
    response = client.get(reverse("property-committee-list"), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "按期业委会" in page and "逾期业委会" in page and "re-election overdue" in page
    response = client.get(reverse("property-committee-list"), {"overdue": "true"}, **EN)
    assert [c.name for c in response.context["object_list"]] == ["逾期业委会"]


@pytest.mark.parametrize(
    ("user", "status"),
    [("district_admin", 200), ("community_staff", 200), ("grid_secretary", 200), ("compound_secretary", 200),
     ("other_community_staff", 404), ("other_street_staff", 404), ("no_role", 403)],
)
def test_detail_page_is_scoped(staff, login, committee, user, status):
    assert login(getattr(staff, user)).get(reverse("property-committee-detail", args=[committee.pk])).status_code == status


def test_company_staff_open_the_list_but_not_a_committee(login, committee, company_user):
    client = login(company_user)
    response = client.get(reverse("property-committee-list"))
    assert response.status_code == 200 and list(response.context["object_list"]) == []
    assert client.get(reverse("property-committee-detail", args=[committee.pk])).status_code == 404


def test_detail_page_shows_members_terms_share_and_history(staff, login, committee):
    add(committee, staff.community_staff, "王主任", MemberRole.DIRECTOR, is_party_member=True)
    add(committee, staff.community_staff, "李委员")
    response = login(staff.community_staff).get(reverse("property-committee-detail", args=[committee.pk]), **EN)
    page = response.content.decode()
    assert "王主任" in page and "李委员" in page and "50.0%" in page
    assert response.context["party_share"] == Decimal("50.0")
    assert [e.action for e in response.context["timeline"]] == ["created", "joined", "joined"]
    assert "term 1 (ends 2029-01-01)" in page


def test_read_only_staff_get_403_on_the_forms(staff, login, committee):
    client = login(staff.grid_secretary)
    for name in ("property-committee-edit", "property-committee-reelect", "property-committee-dissolve",
                 "property-committee-member-add"):
        assert client.get(reverse(name, args=[committee.pk])).status_code == 403
    assert client.post(reverse("property-committee-dissolve", args=[committee.pk]), {}).status_code == 403
    assert Committee.objects.get().dissolved_on is None


def test_create_page_creates_and_shows_refusals(tree, staff, login, clock):
    client = login(staff.community_staff)
    url = reverse("property-committee-create")
    assert client.get(url, {"community": tree.community.pk}).status_code == 200
    data = {"name": "桂花业委会", "kind": "owners", "community": tree.community.pk, "compounds": [tree.compound.pk],
            "term_started_on": "2024-01-01", "term_ends_on": "2029-01-01"}
    response = client.post(url, data)
    committee = Committee.objects.get()
    assert response.status_code == 302 and response.url == reverse("property-committee-detail", args=[committee.pk])
    response = client.post(url, {**data, "name": "重复"}, **EN)
    assert response.status_code == 200
    assert "already belongs to the active committee" in response.content.decode()
    assert Committee.objects.count() == 1


def test_member_pages_add_edit_and_leave(staff, login, committee):
    client = login(staff.community_staff)
    response = client.post(reverse("property-committee-member-add", args=[committee.pk]),
                           {"name": "王主任", "role": "director", "is_community_cadre": "on", "joined_on": "2024-01-01"})
    assert response.status_code == 302
    member = CommitteeMember.objects.get()
    assert CrossAppointment.objects.filter(member=member).exists()
    response = client.post(reverse("property-committee-member-edit", args=[member.pk]),
                           {"name": "王主任", "role": "director", "is_party_member": "on", "is_community_cadre": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_party_member
    response = client.post(reverse("property-committee-member-leave", args=[member.pk]), {"left_on": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == datetime.date(2026, 3, 2)
    response = client.post(reverse("property-committee-member-leave", args=[member.pk]), {"left_on": ""}, **EN)
    assert response.status_code == 409 and "left the committee" in response.content.decode()


def test_dissolve_page_twice_gives_409(staff, login, committee):
    client = login(staff.community_staff)
    url = reverse("property-committee-dissolve", args=[committee.pk])
    assert client.post(url, {"dissolved_on": "2026-02-01"}).status_code == 302
    response = client.post(url, {}, **EN)
    assert response.status_code == 409 and "dissolved on 2026-02-01" in response.content.decode()


def test_edit_page_saves_the_compounds(tree, staff, login, committee):
    extra = make_area(AreaKind.COMPOUND, tree.grid, name="兰园小区")
    client = login(staff.community_staff)
    url = reverse("property-committee-edit", args=[committee.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "新名", "kind": "owners", "compounds": [tree.compound.pk, extra.pk]})
    assert response.status_code == 302
    assert set(Committee.objects.get().compounds.all()) == {tree.compound, extra}


def test_party_share_page(tree, staff, login, seed_like):
    client = login(staff.district_admin)
    response = client.get(reverse("property-committee-party-share"), **EN)
    assert response.status_code == 200 and response.context["result"].area == tree.district
    assert "63.6%" in response.content.decode()
    response = client.get(reverse("property-committee-party-share"), {"area": tree.community.pk})
    assert response.context["result"].totals.members == 496


def test_list_page_queries_do_not_grow_with_page_size(tree, staff, login, clock, django_assert_max_num_queries):
    for i in range(25):
        c = make_committee(tree.community, [make_area(AreaKind.COMPOUND, tree.grid)], name=f"业委会{i:02d}")
        add_members(c, 3, party=1)
    client = login(staff.community_staff)
    url = reverse("property-committee-list")
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url, {"page_size": 10})
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 20})
    assert len(response.context["object_list"]) == 20


def test_api_corrects_a_member_and_refuses_moving_them(staff, api, committee):
    member = add(committee, staff.community_staff, "钱委员")
    client = api(staff.community_staff)
    url = f"/api/v1/committee-members/{member.pk}/"
    response = client.patch(url, {"is_party_member": True, "role": "deputy"}, format="json")
    assert response.status_code == 200
    assert (response.json()["is_party_member"], response.json()["role"]) == (True, "deputy")
    response = client.patch(url, {"joined_on": "2020-01-01"}, format="json")
    assert response.status_code == 400 and "joined_on" in response.json()
    assert api(staff.grid_secretary).patch(url, {"name": "改名"}, format="json").status_code == 403
    member.refresh_from_db()
    assert member.name == "钱委员"
