"""Re-elections (换届): the re-election service, the overdue flag, and the periodic sweep
that reminds community staff 90 and 30 days before a term ends and once more when it
is overdue — each reminder exactly once (two sweeps, two sweeps at once, across a
re-election), e-mailed exactly once."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from communities.models import AreaKind
from governance.models import AuditEvent, StaffRole
from properties import services_committees as services
from properties import tasks_committees as tasks
from properties.models import Committee, CommitteeTerm, Reminder, ReminderKind
from properties.selectors_committees import reelection_counts, reelection_status

from .concurrent import run_together
from .factories import UserFactory, give_role, make_area
from .property_factories import make_committee, make_company, make_company_staff

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = datetime.date(2026, 3, 2)  # the clock fixture's local date
ENDS = TODAY + datetime.timedelta(days=80)  # 2026-05-21: inside the 90-day window


def day(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def committee(tree, staff, clock):
    return services.committee_create(
        actor=staff.community_staff, community=tree.community, name="桂花小区业主委员会", kind="owners",
        compounds=[tree.compound], term_started_on=datetime.date(2021, 5, 22), term_ends_on=ENDS,
    )


@pytest.fixture
def emails(staff):
    for user, address in ((staff.community_staff, "community@example.org"),
                          (staff.other_community_staff, "other@example.org"),
                          (staff.street_staff, "street@example.org")):
        user.email = address
        user.save()


def reminders(committee=None):
    qs = Reminder.objects.all() if committee is None else Reminder.objects.filter(committee=committee)
    return sorted(qs.values_list("kind", "key"))


def sweep_and_mail():
    created = tasks.sweep()
    tasks.deliver_reminder_emails()
    return created


# --- the sweep ---------------------------------------------------------------------------------


def test_the_sweep_sends_90_then_30_then_overdue_each_once(tree, committee, clock):
    assert tasks.sweep() == 1
    assert tasks.sweep() == 0
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.key, reminder.area, reminder.committee) == (
        ReminderKind.REELECTION_90, "2026-05-21", tree.community, committee)
    assert "桂花小区业主委员会" in reminder.message and "2026-05-21" in reminder.message
    clock.advance(days=56)  # 24 days left
    assert tasks.sweep() == 1 and tasks.sweep() == 0
    clock.advance(days=25)  # ended yesterday
    assert tasks.sweep() == 1 and tasks.sweep() == 0
    assert reminders(committee) == [
        ("reelection_30", "2026-05-21"), ("reelection_90", "2026-05-21"), ("reelection_overdue", "2026-05-21")]


def test_a_term_ending_today_is_due_not_overdue(committee, clock):
    clock.advance(days=80)
    tasks.sweep()
    assert reminders() == [("reelection_30", "2026-05-21")]
    assert not Committee.objects.overdue(day(80)).exists()


def test_entering_straight_into_the_30_day_window_sends_only_the_30_day_reminder(tree, staff, clock):
    services.committee_create(
        actor=staff.community_staff, community=tree.community, name="新业委会", kind="owners",
        compounds=[tree.compound], term_started_on=datetime.date(2021, 3, 22), term_ends_on=day(20),
    )
    tasks.sweep()
    assert reminders() == [("reelection_30", day(20).isoformat())]


def test_committees_far_from_their_end_or_dissolved_get_no_reminder(tree, staff, clock):
    make_committee(tree.community, [tree.compound], term_ends_on=day(91))
    make_committee(tree.other_community, [tree.other_compound], term_ends_on=day(-10), dissolved_on=day(-20))
    assert tasks.sweep() == 0 and not Reminder.objects.exists()


def test_a_reelection_gives_the_next_term_its_own_reminders(staff, committee, clock):
    clock.advance(days=90)  # overdue since 10 days
    tasks.sweep()
    assert reminders() == [("reelection_overdue", "2026-05-21")]
    assert Committee.objects.overdue(day(90)).exists()
    services.committee_reelect(actor=staff.community_staff, committee=committee, elected_on=day(89),
                               term_started_on=day(90), term_ends_on=day(90 + 5 * 365))
    assert not Committee.objects.overdue(day(90)).exists()
    assert tasks.sweep() == 0  # the old term's reminders are not repeated
    clock.advance(days=5 * 365 - 60)  # the new term ends in 60 days
    assert tasks.sweep() == 1
    new_key = day(90 + 5 * 365).isoformat()
    assert reminders() == [("reelection_90", new_key), ("reelection_overdue", "2026-05-21")]


def test_the_celery_task_is_named_and_scheduled(committee, clock):
    assert tasks.reelection_sweep.name == "properties.reelection_sweep"
    assert settings.CELERY_BEAT_SCHEDULE["property-reelection-sweep"]["task"] == "properties.reelection_sweep"
    assert tasks.deliver_reminder_emails.name == "properties.deliver_reminder_emails"
    assert tasks.reelection_sweep() == 1


def test_delivery_is_queued_after_commit_only_when_something_is_new(committee, clock,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        tasks.sweep()
    with django_capture_on_commit_callbacks(execute=False) as second:
        tasks.sweep()
    assert [c.__name__ for c in first] == ["enqueue_delivery"] and second == []


# --- e-mails ---------------------------------------------------------------------------------


def test_reminders_are_emailed_to_the_community_staff_once(tree, staff, committee, emails, clock):
    sweep_and_mail()
    assert [m.to for m in mail.outbox] == [["community@example.org"]]
    assert "桂花小区业主委员会" in mail.outbox[0].body
    assert Reminder.objects.get().emailed_at == clock()
    sweep_and_mail()
    assert tasks.deliver_reminder_emails() == 0
    assert len(mail.outbox) == 1
    clock.advance(days=56)
    sweep_and_mail()
    assert len(mail.outbox) == 2


def test_a_grid_committee_mails_the_community_staff_above_it(tree, staff, emails, clock):
    make_committee(tree.grid, [tree.compound], term_ends_on=day(10))
    grid_staff = UserFactory(username="gridstaff", email="grid@example.org")
    give_role(grid_staff, tree.grid, StaffRole.Role.COMMUNITY_STAFF)
    sweep_and_mail()
    assert sorted(m.to[0] for m in mail.outbox) == ["community@example.org", "grid@example.org"]


def test_staff_without_an_address_are_skipped_and_the_reminder_still_counts_as_sent(committee, clock):
    assert sweep_and_mail() == 1
    assert mail.outbox == [] and Reminder.objects.get().emailed_at is not None


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections")
def test_two_sweeps_at_once_create_each_reminder_once_and_mail_it_once(tree, staff, emails, monkeypatch):
    monkeypatch.setattr(tasks, "enqueue_delivery", lambda: None)
    for i in range(30):
        compound = make_area(AreaKind.COMPOUND, tree.grid)
        make_committee(tree.community, [compound], name=f"业委会{i}", term_ends_on=day(i * 3 - 20))
    results = run_together(lambda: tasks.sweep(TODAY), lambda: tasks.sweep(TODAY))
    assert all(kind == "ok" for kind, _ in results), results
    assert Reminder.objects.count() == 30
    assert len(set(Reminder.objects.values_list("kind", "committee_id", "key"))) == 30
    results = run_together(tasks.deliver_reminder_emails, tasks.deliver_reminder_emails)
    assert sum(value for _, value in results) == 30
    assert len(mail.outbox) == 30


# --- re-election service and status --------------------------------------------------------


def test_reelection_moves_the_term_writes_history_and_audits(staff, committee, clock):
    result = services.committee_reelect(
        actor=staff.community_staff, committee=committee, elected_on=day(-2),
        term_started_on=ENDS, term_ends_on=datetime.date(2031, 5, 21), note="第二届业主大会选举",
    )
    assert (result.term_number, result.term_started_on, result.term_ends_on) == (2, ENDS, datetime.date(2031, 5, 21))
    assert list(CommitteeTerm.objects.filter(committee=committee).values_list("number", "ends_on", "elected_on")) == [
        (1, ENDS, None), (2, datetime.date(2031, 5, 21), day(-2))]
    event = AuditEvent.objects.get(object_id=committee.pk, content_type__model="committee", action="reelected")
    assert (event.from_state, event.to_state, event.note) == (
        "term 1 (ends 2026-05-21)", "term 2 (ends 2031-05-21)", "第二届业主大会选举")


def test_reelection_refuses_a_term_starting_before_the_current_one(staff, committee, clock):
    with pytest.raises(ValidationError) as exc:
        services.committee_reelect(actor=staff.community_staff, committee=committee, elected_on=day(-2),
                                   term_started_on=datetime.date(2021, 1, 1), term_ends_on=datetime.date(2031, 1, 1))
    assert "term_started_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.committee_reelect(actor=staff.community_staff, committee=committee, elected_on=day(3),
                                   term_started_on=ENDS, term_ends_on=datetime.date(2031, 1, 1))
    assert "elected_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.committee_reelect(actor=staff.community_staff, committee=committee, elected_on=day(-1),
                                   term_started_on=ENDS, term_ends_on=ENDS)
    assert "term_ends_on" in exc.value.message_dict
    committee.refresh_from_db()
    assert committee.term_number == 1 and CommitteeTerm.objects.count() == 1


def test_reelection_is_for_staff_who_may_change_and_not_for_a_dissolved_committee(staff, committee, clock):
    kwargs = {"elected_on": day(-1), "term_started_on": ENDS, "term_ends_on": datetime.date(2031, 5, 21)}
    for user in (staff.grid_secretary, staff.compound_secretary, staff.other_community_staff):
        with pytest.raises(PermissionDenied):
            services.committee_reelect(actor=user, committee=committee, **kwargs)
    services.committee_dissolve(actor=staff.street_staff, committee=committee)
    with pytest.raises(services.CommitteeConflict):
        services.committee_reelect(actor=staff.street_staff, committee=committee, **kwargs)


def test_reelection_status_sorts_active_committees(tree, staff, clock):
    extra = [make_area(AreaKind.COMPOUND, tree.grid) for _ in range(4)]
    soon = make_committee(tree.community, [extra[0]], name="soon", term_ends_on=day(60))
    now = make_committee(tree.community, [extra[1]], name="now", term_ends_on=day(0))
    late = make_committee(tree.community, [extra[2]], name="late", term_ends_on=day(-1))
    make_committee(tree.community, [extra[3]], name="far", term_ends_on=day(200))
    make_committee(tree.other_community, [], name="gone", term_ends_on=day(-100), dissolved_on=day(-50))
    status = reelection_status(TODAY)
    assert set(status.due_90) == {soon, now} and set(status.due_30) == {now} and set(status.overdue) == {late}
    assert reelection_counts(TODAY) == {"due_90": 2, "due_30": 1, "overdue": 1}
    visible = Committee.objects.visible_to(staff.other_community_staff)
    assert reelection_counts(TODAY, visible) == {"due_90": 0, "due_30": 0, "overdue": 0}


# --- API and pages --------------------------------------------------------------------------


def test_api_reelects(staff, api, committee):
    url = f"/api/v1/committees/{committee.pk}/reelect/"
    body = {"elected_on": "2026-03-01", "term_started_on": "2026-05-21", "term_ends_on": "2031-05-21"}
    assert api(staff.grid_secretary).post(url, body, format="json").status_code == 403
    assert api(staff.other_community_staff).post(url, body, format="json").status_code == 404
    response = api(staff.community_staff).post(url, {**body, "term_started_on": "2020-01-01"}, format="json")
    assert response.status_code == 400 and "term_started_on" in response.json()
    assert CommitteeTerm.objects.count() == 1
    response = api(staff.community_staff).post(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["current_term"]["number"] == 2 and len(response.json()["terms"]) == 2


def test_api_lists_reminders_in_scope_by_kind(tree, staff, api, committee, clock):
    make_committee(tree.other_community, [tree.other_compound], name="柏杨业委会", term_ends_on=day(-3))
    tasks.sweep()
    client = api(staff.street_staff)
    assert client.get("/api/v1/property-reminders/").json()["count"] == 2
    body = client.get("/api/v1/property-reminders/", {"kind": "reelection_overdue"}).json()
    assert [r["committee_name"] for r in body["results"]] == ["柏杨业委会"]
    assert api(staff.community_staff).get("/api/v1/property-reminders/").json()["count"] == 1
    assert api(staff.other_street_staff).get("/api/v1/property-reminders/").json()["count"] == 0
    company_user = UserFactory(username="company")
    make_company_staff(company_user, make_company(tree.district))
    assert api(company_user).get("/api/v1/property-reminders/").json()["count"] == 0
    assert api(staff.no_role).get("/api/v1/property-reminders/").status_code == 403
    assert api(staff.street_staff).post("/api/v1/property-reminders/", {}, format="json").status_code == 405


def test_reelect_page(staff, client, committee):
    client.force_login(staff.community_staff)
    url = reverse("property-committee-reelect", args=[committee.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"].initial["term_started_on"] == ENDS
    response = client.post(url, {"elected_on": "2026-03-01", "term_started_on": "2026-05-21",
                                 "term_ends_on": "2031-05-21", "note": ""})
    assert response.status_code == 302
    assert Committee.objects.get().term_number == 2
    detail = client.get(reverse("property-committee-detail", args=[committee.pk]), **EN).content.decode()
    assert "term 1 (ends 2026-05-21)" in detail and "term 2 (ends 2031-05-21)" in detail


def test_reminders_page_lists_what_the_user_sees(tree, staff, client, committee, clock):
    make_committee(tree.other_community, [tree.other_compound], name="柏杨业委会", term_ends_on=day(-3))
    tasks.sweep()
    client.force_login(staff.community_staff)
    response = client.get(reverse("property-reminder-list"))
    assert response.status_code == 200
    assert [r.committee for r in response.context["object_list"]] == [committee]
    response = client.get(reverse("property-reminder-list"), {"kind": "reelection_overdue"})
    assert list(response.context["object_list"]) == []


def test_due_badges_on_the_list(tree, staff, client, committee, clock):
    client.force_login(staff.community_staff)
    page = client.get(reverse("property-committee-list"), **EN).content.decode()
    assert "re-election due within 90 days" in page
    clock.advance(days=60)
    page = client.get(reverse("property-committee-list"), **EN).content.decode()
    assert "re-election due within 30 days" in page


def test_reminder_list_queries_do_not_grow(tree, staff, api, clock, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            make_committee(tree.community, [make_area(AreaKind.COMPOUND, tree.grid)], term_ends_on=day(10))
        tasks.sweep()

    build(3)
    client = api(staff.community_staff)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/v1/property-reminders/", {"page_size": 3})
    build(17)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/property-reminders/", {"page_size": 20})
    assert len(response.json()["results"]) == 20
