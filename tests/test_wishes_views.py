"""The staff micro-wish pages: the inbox by scope, one wish and its actions (404 outside,
403 read-only, 409 on a state conflict), intake on a resident's behalf, the metrics,
the notifications, and bounded queries on the inbox."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import AuditEvent
from wishes import services
from wishes.models import Category, Channel, Level, Notification, Status, Wish
from wishes.selectors import wish_stats

from .factories import submit_wish

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def html(response) -> str:
    return response.content.decode()


def events(wish) -> list[str]:
    return list(
        AuditEvent.objects.filter(content_type__model="wish", object_id=wish.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def wishes(tree, staff, clock):
    """One wish at the community's compound, one at the other community's."""
    here = submit_wish(tree, title="桂花小区路灯")
    there = submit_wish(tree, compound=tree.other_compound, title="柏杨小区坡道")
    return here, there


# --- Inbox: scope ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "sees_here", "sees_there"),
    [
        ("district_admin", True, True),
        ("street_staff", True, True),
        ("community_staff", True, False),
        ("other_community_staff", False, True),
        ("grid_secretary", True, False),
        ("compound_secretary", True, False),
        ("other_street_staff", False, False),
    ],
)
def test_the_inbox_shows_only_wishes_in_the_users_scope(login, staff, wishes, user, sees_here, sees_there):
    here, there = wishes
    response = login(getattr(staff, user)).get(reverse("wish-inbox"), **EN)
    assert response.status_code == 200
    shown = {w.pk for w in response.context["wishes"]}
    assert (here.pk in shown, there.pk in shown) == (sees_here, sees_there)
    page = html(response)
    assert (here.tracking_code in page) == sees_here
    assert (there.tracking_code in page) == sees_there


def test_a_user_without_a_role_gets_the_no_role_page(login, staff, wishes):
    response = login(staff.no_role).get(reverse("wish-inbox"), **EN)
    assert response.status_code == 403
    assert wishes[0].tracking_code not in html(response)


def test_anonymous_users_are_sent_to_the_login_page(client, wishes):
    response = client.get(reverse("wish-detail", args=[wishes[0].pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_inbox_shows_no_phone_numbers_and_links_from_the_main_navigation(login, staff, wishes):
    page = html(login(staff.community_staff).get(reverse("wish-inbox"), **EN))
    assert "13812341234" not in page and "138****1234" not in page
    assert f'href="{reverse("wish-inbox")}" aria-current="page"' in page
    assert reverse("wish-detail", args=[wishes[0].pk]) in page


def test_the_inbox_filters_and_sorts_with_the_shared_filterset(login, tree, staff, clock):
    late = submit_wish(tree, title="早提交")
    clock.advance(hours=20)
    soon = submit_wish(tree, title="晚提交")  # due in 24 h: not "due soon" yet
    clock.advance(hours=5)  # the first is overdue now, the second due within 24 h
    client = login(staff.community_staff)

    response = client.get(reverse("wish-inbox"), {"overdue": "true"}, **EN)
    assert [w.pk for w in response.context["wishes"]] == [late.pk]
    assert 'class="due due-overdue"' in html(response)

    response = client.get(reverse("wish-inbox"), {"due_soon": "true"}, **EN)
    assert [w.pk for w in response.context["wishes"]] == [soon.pk]
    assert 'class="due due-due-soon"' in html(response)

    response = client.get(reverse("wish-inbox"), {"ordering": "-due_at"}, **EN)
    assert [w.pk for w in response.context["wishes"]] == [soon.pk, late.pk]
    response = client.get(reverse("wish-inbox"), {"ordering": "created_at"}, **EN)
    assert [w.pk for w in response.context["wishes"]] == [late.pk, soon.pk]
    response = client.get(reverse("wish-inbox"), {"search": late.tracking_code}, **EN)
    assert [w.pk for w in response.context["wishes"]] == [late.pk]


def test_an_invalid_filter_says_so_instead_of_listing_everything(login, staff, wishes):
    response = login(staff.community_staff).get(reverse("wish-inbox"), {"compound": "999999"}, **EN)
    assert response.status_code == 200
    assert list(response.context["wishes"]) == []
    assert "The filter is not valid" in html(response)


def test_inbox_queries_do_not_grow_with_the_page_size(login, tree, staff, clock):
    def make(n):
        for i in range(n):
            wish = submit_wish(tree, title=f"心愿{i}")
            if i % 2:
                services.wish_claim(wish=wish, actor=staff.community_staff, claimer_kind="volunteer_team")

    client = login(staff.street_staff)
    make(5)
    client.get(reverse("wish-inbox"))  # warm the per-process caches (content types...)
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("wish-inbox"), {"page_size": 5})
    assert len(response.context["wishes"]) == 5
    make(45)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("wish-inbox"), {"page_size": 50})
    assert len(response.context["wishes"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 15


# --- One wish: scope and phone ------------------------------------------------------------------


@pytest.mark.parametrize("user", ["other_community_staff", "other_street_staff"])
def test_a_wish_outside_the_scope_is_404_also_for_actions(login, staff, wishes, user):
    here = wishes[0]
    client = login(getattr(staff, user))
    assert client.get(reverse("wish-detail", args=[here.pk])).status_code == 404
    assert client.post(reverse("wish-accept", args=[here.pk]), {}).status_code == 404
    here.refresh_from_db()
    assert here.status == Status.SUBMITTED


@pytest.mark.parametrize("user", ["grid_secretary", "compound_secretary"])
def test_read_only_secretaries_see_a_masked_phone(login, staff, wishes, user):
    page = html(login(getattr(staff, user)).get(reverse("wish-detail", args=[wishes[0].pk]), **EN))
    assert "138****1234" in page and "13812341234" not in page


def test_the_handling_community_staff_see_the_full_phone(login, staff, wishes):
    page = html(login(staff.community_staff).get(reverse("wish-detail", args=[wishes[0].pk]), **EN))
    assert "13812341234" in page and 'href="tel:13812341234"' in page


def test_the_detail_shows_the_due_time_the_history_and_only_actions_that_apply(login, staff, wishes):
    wish = wishes[0]
    response = login(staff.community_staff).get(reverse("wish-detail", args=[wish.pk]), **EN)
    page = html(response)
    assert response.status_code == 200
    assert "2026-03-03 17:00" in page  # T0 + 24 h, shown in Asia/Shanghai
    assert "History" in page and "submitted" in page
    for name in ("wish-accept", "wish-claim", "wish-escalate", "wish-reject"):
        assert f'action="{reverse(name, args=[wish.pk])}"' in page
    for name in ("wish-resolve", "wish-release"):
        assert f'action="{reverse(name, args=[wish.pk])}"' not in page
    # A read-only secretary may claim (认领) but not accept, escalate or reject.
    page = html(login(staff.grid_secretary).get(reverse("wish-detail", args=[wish.pk]), **EN))
    assert f'action="{reverse("wish-claim", args=[wish.pk])}"' in page
    assert f'action="{reverse("wish-accept", args=[wish.pk])}"' not in page
    assert f'action="{reverse("wish-reject", args=[wish.pk])}"' not in page


# --- One wish: actions ----------------------------------------------------------------------------


def test_accepting_by_post_moves_the_wish_and_writes_an_audit_event(login, staff, wishes):
    wish = wishes[0]
    client = login(staff.community_staff)
    response = client.post(reverse("wish-accept", args=[wish.pk]), {"note": "马上安排"}, **EN)
    assert response.status_code == 302 and response.url == reverse("wish-detail", args=[wish.pk])
    assert any("accepted" in m for m in flash(response))
    wish.refresh_from_db()
    assert wish.status == Status.ACCEPTED
    event = AuditEvent.objects.filter(object_id=wish.pk, action="accepted").get()
    assert event.actor == staff.community_staff and event.note == "马上安排"
    page = html(client.get(reverse("wish-detail", args=[wish.pk]), **EN))
    assert "community" in page and "Accepted by the community" in page


def test_claiming_and_releasing_by_post(login, staff, wishes):
    wish = wishes[0]
    client = login(staff.grid_secretary)
    response = client.post(
        reverse("wish-claim", args=[wish.pk]),
        {"claimer_kind": "party_member", "claimer_name": "李党员"},
        **EN,
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert (wish.claimer_kind, wish.claimer_name, wish.claimer_user) == (
        "party_member", "李党员", staff.grid_secretary,
    )
    # The claimer is a handler now: the full phone, and a release form.
    page = html(client.get(reverse("wish-detail", args=[wish.pk]), **EN))
    assert "13812341234" in page and f'action="{reverse("wish-release", args=[wish.pk])}"' in page
    response = client.post(reverse("wish-release", args=[wish.pk]), {"note": "另有安排"}, **EN)
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.claimer_kind == "" and wish.claimer_user is None
    assert events(wish)[-2:] == ["claimed", "released"]


def test_a_second_claim_is_a_409_naming_the_claimer(login, staff, wishes):
    wish = wishes[0]
    services.wish_claim(wish=wish, actor=staff.community_staff, claimer_kind="staff", claimer_name="张三")
    response = login(staff.grid_secretary).post(
        reverse("wish-claim", args=[wish.pk]), {"claimer_kind": "party_member"}, **EN
    )
    assert response.status_code == 409
    assert "张三 has already claimed this wish." in html(response)


def test_escalating_by_post_hands_the_wish_to_the_street(login, staff, wishes):
    wish = wishes[0]
    response = login(staff.community_staff).post(
        reverse("wish-escalate", args=[wish.pk]), {"note": "需要街道协调"}, **EN
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert (wish.status, wish.level) == (Status.STREET, Level.STREET)
    assert events(wish)[-1] == "escalated"
    assert Notification.objects.filter(recipient=staff.street_staff, wish=wish, kind="escalated").exists()


def test_resolving_by_post_with_a_photo(login, staff, wishes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wish = services.wish_accept(wish=wishes[0], actor=staff.community_staff)
    response = login(staff.community_staff).post(
        reverse("wish-resolve", args=[wish.pk]),
        {"note": "已更换灯泡", "photo": SimpleUploadedFile("IMG_0001.png", PNG, content_type="image/png")},
        **EN,
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.RESOLVED and wish.resolution_note == "已更换灯泡"
    assert wish.resolution_photo.name.endswith(".png") and "IMG_0001" not in wish.resolution_photo.name
    assert events(wish)[-1] == "resolved"


def test_resolving_without_a_note_or_with_a_fake_photo_keeps_the_input(login, staff, wishes):
    wish = services.wish_accept(wish=wishes[0], actor=staff.community_staff)
    client = login(staff.community_staff)
    response = client.post(reverse("wish-resolve", args=[wish.pk]), {"note": ""}, **EN)
    assert response.status_code == 200
    assert response.context["forms"]["resolve"].errors["note"]
    response = client.post(
        reverse("wish-resolve", args=[wish.pk]),
        {"note": "已处理", "photo": SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")},
        **EN,
    )
    assert response.status_code == 200
    page = html(response)
    assert "JPEG, PNG or WebP" in page and "已处理" in page  # the note is kept
    wish.refresh_from_db()
    assert wish.status == Status.ACCEPTED


def test_rejecting_by_post_needs_a_reason_and_for_other_an_explanation(login, staff, wishes):
    wish = wishes[0]
    client = login(staff.community_staff)
    response = client.post(reverse("wish-reject", args=[wish.pk]), {"reason": "other", "note": ""}, **EN)
    assert response.status_code == 200
    assert response.context["forms"]["reject"].errors["note"] == ["Explain the reason."]
    assert html(response).count('selected>Other') == 1  # the choice is kept
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED

    response = client.post(
        reverse("wish-reject", args=[wish.pk]), {"reason": "duplicate", "note": "同 ABC 号"}, **EN
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.REJECTED and wish.reject_reason == "duplicate"
    assert events(wish)[-1] == "rejected"


def test_a_second_accept_is_a_409_with_the_message_and_the_page(login, staff, wishes):
    wish = wishes[0]
    client = login(staff.community_staff)
    assert client.post(reverse("wish-accept", args=[wish.pk]), {}).status_code == 302
    response = client.post(reverse("wish-accept", args=[wish.pk]), {}, **EN)
    assert response.status_code == 409
    page = html(response)
    assert "This wish is Accepted by the community; it cannot be accepted now." in page
    assert 'role="alert"' in page and wish.title in page
    # The page shows the wish as it is now: resolve instead of accept.
    assert f'action="{reverse("wish-resolve", args=[wish.pk])}"' in page
    assert f'action="{reverse("wish-accept", args=[wish.pk])}"' not in page
    assert events(wish).count("accepted") == 1


@pytest.mark.parametrize("user", ["grid_secretary", "compound_secretary"])
def test_a_read_only_user_posting_accept_gets_403_and_nothing_changes(login, staff, wishes, user):
    wish = wishes[0]
    response = login(getattr(staff, user)).post(reverse("wish-accept", args=[wish.pk]), {}, **EN)
    assert response.status_code == 403
    assert "Only staff of" in html(response)
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED and events(wish) == ["submitted"]


def test_actions_are_post_only(login, staff, wishes):
    response = login(staff.community_staff).get(reverse("wish-accept", args=[wishes[0].pk]))
    assert response.status_code == 405


# --- Bulk accept -----------------------------------------------------------------------------------


def test_bulk_accept_with_one_already_accepted_is_partial(login, tree, staff, wishes):
    first, _there = wishes
    second = submit_wish(tree, title="第二个")
    third = submit_wish(tree, title="第三个")
    services.wish_accept(wish=first, actor=staff.community_staff)
    client = login(staff.community_staff)
    back = reverse("wish-inbox") + "?status=submitted"
    response = client.post(
        reverse("wish-bulk-accept"),
        {"ids": [first.pk, second.pk, third.pk], "next": back},
        **EN,
    )
    assert response.status_code == 302 and response.url == back
    notes = flash(response)
    assert "2 wishes were accepted." in notes
    assert "1 wish was not accepted:" in notes
    assert any(first.tracking_code in m and "cannot be accepted now" in m for m in notes)
    assert set(Wish.objects.filter(status=Status.ACCEPTED).values_list("pk", flat=True)) == {
        first.pk, second.pk, third.pk,
    }
    assert events(first).count("accepted") == 1


def test_bulk_accept_ignores_invisible_wishes_and_reports_refusals(login, staff, wishes):
    here, there = wishes
    response = login(staff.grid_secretary).post(
        reverse("wish-bulk-accept"), {"ids": [here.pk, there.pk], "next": "https://evil.example/"}, **EN
    )
    assert response.status_code == 302 and response.url == reverse("wish-inbox")
    notes = flash(response)
    assert "2 wishes were not accepted:" in notes
    assert any("Only staff of" in m for m in notes)
    assert "1 wish was not found in your scope." in notes
    assert not Wish.objects.filter(status=Status.ACCEPTED).exists()


def test_the_inbox_offers_bulk_accept_to_editors_only(login, staff, wishes):
    page = html(login(staff.community_staff).get(reverse("wish-inbox"), **EN))
    assert f'action="{reverse("wish-bulk-accept")}"' in page and 'name="ids"' in page
    page = html(login(staff.grid_secretary).get(reverse("wish-inbox"), **EN))
    assert 'name="ids"' not in page and "Accept selected" not in page


# --- Intake ---------------------------------------------------------------------------------------


def intake_data(compound, **extra):
    return {
        "channel": Channel.MAILBOX,
        "compound": compound.pk,
        "category": Category.objects.get(code="lighting").pk,
        "title": "信箱来信：楼道灯",
        "description": "2单元楼道灯坏了一周",
        "requester_type": "resident",
        "requester_name": "赵大爷",
        "requester_phone": "13900001111",
        "idempotency_key": "form-1",
        **extra,
    }


def test_staff_record_a_wish_from_the_mailbox(login, tree, staff, clock):
    client = login(staff.community_staff)
    page = html(client.get(reverse("wish-intake"), **EN))
    assert tree.compound.name in page and tree.other_compound.name not in page
    response = client.post(reverse("wish-intake"), intake_data(tree.compound), **EN)
    wish = Wish.objects.get()
    assert response.status_code == 302 and response.url == reverse("wish-detail", args=[wish.pk])
    assert (wish.channel, wish.submitted_by, wish.compound) == (
        Channel.MAILBOX, staff.community_staff, tree.compound,
    )
    assert events(wish) == ["submitted"]
    # The same form sent again records nothing new.
    response = client.post(reverse("wish-intake"), intake_data(tree.compound), **EN)
    assert response.url == reverse("wish-detail", args=[wish.pk])
    assert Wish.objects.count() == 1


def test_intake_on_a_compound_outside_the_scope_is_refused(login, tree, staff, clock):
    client = login(staff.community_staff)
    response = client.post(reverse("wish-intake"), intake_data(tree.other_compound), **EN)
    assert response.status_code == 200
    assert response.context["form"].errors["compound"]
    assert "信箱来信：楼道灯" in html(response)  # the input is kept
    assert not Wish.objects.exists()


def test_intake_checks_the_mobile_number_through_the_service(login, tree, staff, clock):
    response = login(staff.community_staff).post(
        reverse("wish-intake"), intake_data(tree.compound, requester_phone="12345"), **EN
    )
    assert response.status_code == 200
    assert response.context["form"].errors["requester_phone"]
    assert not Wish.objects.exists()


def test_read_only_users_cannot_open_the_intake_form(login, staff):
    assert login(staff.grid_secretary).get(reverse("wish-intake")).status_code == 403


# --- Metrics ----------------------------------------------------------------------------------------


def test_the_metrics_page_shows_the_selectors_figures_and_svg_charts(login, tree, staff, clock):
    a = submit_wish(tree)
    b = submit_wish(tree)
    submit_wish(tree, compound=tree.other_compound)
    clock.advance(hours=2)
    services.wish_accept(wish=a, actor=staff.community_staff)
    services.wish_resolve(wish=a, actor=staff.community_staff, note="好了")
    services.wish_rate(wish=a, rating=5)
    clock.advance(hours=30)  # b was accepted late, the other one is overdue now
    services.wish_accept(wish=b, actor=staff.community_staff)

    client = login(staff.street_staff)
    response = client.get(
        reverse("wish-metrics"),
        {"within": tree.street.pk, "from": "2026-01-01", "to": "2026-03-31"},
        **EN,
    )
    assert response.status_code == 200
    expected = wish_stats(
        tree.street, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), user=staff.street_staff
    )
    assert response.context["stats"] == expected.totals
    assert [(r["area"], r["rank"]) for r in response.context["children"]] == [
        (child.area, child.rank) for child in expected.children
    ]
    page = html(response)
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    assert figures["count"] == "3" and expected.totals.count == 3
    assert figures["response"] == f"{expected.totals.response_rate * 100:.1f}%"
    assert figures["satisfaction"] == "100.0%"
    for value in figures.values():
        assert value in page
    assert "<svg" in page and "<title" in page
    assert tree.community.name in page and tree.other_community.name in page
    # Each chart ranks by its own figure; an area without ratings comes last.
    satisfaction = str(response.context["charts"][1]["svg"])
    assert satisfaction.index(tree.community.name) < satisfaction.index(tree.other_community.name)


def test_the_metrics_page_defaults_to_the_first_role_and_the_last_90_days(login, tree, staff, clock):
    submit_wish(tree)
    response = login(staff.community_staff).get(reverse("wish-metrics"), **EN)
    assert response.status_code == 200
    assert response.context["area"] == tree.community
    assert response.context["date_to"] == datetime.date(2026, 3, 2)
    assert response.context["date_from"] == datetime.date(2026, 3, 2) - datetime.timedelta(days=89)
    assert response.context["stats"].count == 1
    assert "H1 2026" in html(response) and "Year 2025" in html(response)


def test_the_metrics_page_refuses_areas_outside_the_users_subtrees(login, tree, staff, clock):
    # The street is visible to community staff (context), but its figures are not theirs.
    response = login(staff.community_staff).get(reverse("wish-metrics"), {"within": tree.street.pk}, **EN)
    assert response.status_code == 200
    assert response.context["result"] is None and response.context["form"].errors["within"]


def test_a_compound_secretary_sees_the_figures_of_the_compound_without_a_ranking(login, tree, staff, clock):
    submit_wish(tree)
    response = login(staff.compound_secretary).get(reverse("wish-metrics"), {"from": "2026-03-01"}, **EN)
    assert response.status_code == 200
    assert response.context["area"] == tree.compound and response.context["stats"].count == 1
    assert response.context["children"] == [] and "Ranking under" not in html(response)
    # The form shows what is measured: the default area kept with the chosen first day.
    assert response.context["form"].initial["within"] == tree.compound.pk


def test_charts_are_accessible_svg_with_escaped_labels():
    from wishes.charts import Bar, bar_chart, meter

    svg = str(bar_chart("Satisfaction <rate>", [Bar("<b>社区</b>", 0.5, "50.0%"), Bar("空", None, "—")], max_value=1))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Satisfaction &lt;rate&gt;" in svg
    assert "<b>" not in svg and "&lt;b&gt;社区&lt;/b&gt;" in svg
    assert 'width="25.0%"' in svg  # half of the 50% of the width the bars span
    assert "<title>a: 40.0%</title>" in str(meter(0.4, "a: 40.0%"))


def test_user_text_is_escaped_on_the_staff_pages(login, tree, staff, clock):
    wish = submit_wish(tree, title="<script>alert(1)</script>")
    client = login(staff.community_staff)
    for url in (reverse("wish-inbox"), reverse("wish-detail", args=[wish.pk])):
        page = html(client.get(url, **EN))
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


# --- Notifications ------------------------------------------------------------------------------------


def test_the_notifications_page_lists_and_marks_read(login, tree, staff, clock):
    first = submit_wish(tree, title="第一")
    clock.advance(minutes=5)
    second = submit_wish(tree, title="第二")
    client = login(staff.community_staff)
    response = client.get(reverse("wish-notifications"), **EN)
    assert response.status_code == 200
    notes = list(response.context["notifications"])
    assert [n.wish for n in notes] == [second, first]  # newest first
    assert response.context["unread_notifications"] == 2
    page = html(response)
    assert page.count('class="notice-item unread"') == 2
    assert reverse("wish-detail", args=[first.pk]) in page

    response = client.post(reverse("wish-notifications-read"), **EN)
    assert response.status_code == 302
    assert "2 notifications marked as read." in flash(response)
    assert not Notification.objects.filter(recipient=staff.community_staff, read_at__isnull=True).exists()
    page = html(client.get(reverse("wish-notifications"), **EN))
    assert "notice-item unread" not in page and "Mark all as read" not in page


def test_notifications_are_the_users_own(login, tree, staff, clock):
    submit_wish(tree)
    response = login(staff.other_community_staff).get(reverse("wish-notifications"), **EN)
    assert list(response.context["notifications"]) == []
    Notification.objects.update(read_at=None)
    login(staff.other_community_staff).post(reverse("wish-notifications-read"))
    assert Notification.objects.filter(recipient=staff.community_staff, read_at__isnull=True).count() == 1


def test_wish_photos_are_served_only_to_staff_who_see_the_wish(tree, staff, client, clock, settings, tmp_path):
    from wishes.uploads import clean_photo

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    wish = submit_wish(tree, photo=clean_photo(SimpleUploadedFile("me.png", png)))
    url = reverse("wish-photo", args=[wish.pk, "photo"])
    client.force_login(staff.compound_secretary)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert client.get(reverse("wish-photo", args=[wish.pk, "result"])).status_code == 404
    assert client.get(reverse("wish-photo", args=[wish.pk, "other"])).status_code == 404
    client.force_login(staff.other_community_staff)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
