"""The micro-wish API: the inbox and its filters, masking of the requester's number,
scoping, the transition actions, bulk accept, intake, categories and time limits."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.models import AuditEvent
from wishes import services
from wishes.models import Category, Level, Notification, Status, TimeLimit, Wish

from .conftest import T0
from .factories import submit_wish as submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/wishes/"
MASKED = "138****1234"
FULL = "13812341234"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def url(wish, action=None):
    return f"{URL}{wish.pk}/" + (f"{action}/" if action else "")


def at(clock, **delta):
    clock.current = T0 + datetime.timedelta(**delta)


# --- the inbox and its filters ----------------------------------------------------


@pytest.fixture
def inbox(tree, staff, clock):
    """Six wishes; "now" is T0 + 2 days 2 hours (T0 = 2026-03-02 17:00 in Shanghai).

    a  compound        lighting   web      T0            submitted, overdue
    f  compound        repairs    web      T0 + 7.5 h    submitted, overdue (03-03 00:30 local)
    b  other compound  sanitation phone    T0 + 1 d      submitted, overdue
    c  compound        education  mailbox  T0 + 2 d      accepted, claimed by a party member
    e  compound        other      web      T0 + 2 d      rejected
    d  compound        elderly    web      T0 + 2 d 2 h  submitted, due within 24 h
    """
    a = submit(tree, title="楼道灯坏了")
    at(clock, hours=7.5)
    f = submit(tree, category="repairs", title="门禁坏了")
    at(clock, days=1)
    b = submit(
        tree, compound=tree.other_compound, category="sanitation", title="垃圾没人清",
        channel="phone", actor=staff.street_staff,
    )
    at(clock, days=2)
    c = submit(tree, category="education", title="修理自行车", channel="mailbox", actor=staff.community_staff)
    services.wish_accept(wish=c, actor=staff.community_staff)
    services.wish_claim(wish=c, actor=staff.grid_secretary, claimer_kind="party_member", claimer_name="李党员")
    e = submit(tree, category="other", title="重复的心愿")
    services.wish_reject(wish=e, actor=staff.community_staff, reason="duplicate")
    at(clock, days=2, hours=2)
    d = submit(tree, category="elderly", title="助餐")
    return {k: Wish.objects.get(pk=v.pk) for k, v in dict(a=a, b=b, c=c, d=d, e=e, f=f).items()}


def keys(inbox, response):
    by_id = {w.pk: k for k, w in inbox.items()}
    return [by_id[i] for i in ids(response)]


def test_default_order_is_newest_first_with_the_id_breaking_ties(tree, staff, api, inbox):
    assert keys(inbox, api(staff.street_staff).get(URL)) == ["d", "e", "c", "b", "f", "a"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "submitted"}, {"a", "b", "d", "f"}),
        ({"status": ["submitted", "rejected"]}, {"a", "b", "d", "e", "f"}),
        ({"category": "sanitation"}, {"b"}),
        ({"level": "community"}, {"a", "b", "c", "d", "e", "f"}),
        ({"within": "other_community"}, {"b"}),
        ({"within": "grid"}, {"a", "c", "d", "e", "f"}),
        ({"compound": "other_compound"}, {"b"}),
        ({"overdue": "true"}, {"a", "b", "f"}),
        ({"overdue": "false"}, {"c", "d", "e"}),
        ({"due_soon": "true"}, {"d"}),
        ({"due_soon": "false"}, {"a", "b", "c", "e", "f"}),
        ({"claimed": "true"}, {"c"}),
        ({"claimed": "false"}, {"a", "b", "d", "e", "f"}),
        ({"claimer_kind": "party_member"}, {"c"}),
        ({"claimer_kind": "volunteer_team"}, set()),
        ({"channel": "phone"}, {"b"}),
        ({"channel": "web"}, {"a", "d", "e", "f"}),
        # Local (Asia/Shanghai) dates: f was filed at 16:30 UTC on 03-02, 00:30 on 03-03 locally.
        ({"requested_to": "2026-03-02"}, {"a"}),
        ({"requested_from": "2026-03-03", "requested_to": "2026-03-03"}, {"b", "f"}),
        ({"requested_from": "2026-03-04"}, {"c", "d", "e"}),
        ({"search": "自行车"}, {"c"}),
        ({"status": "submitted", "overdue": "true", "within": "compound"}, {"a", "f"}),
    ],
)
def test_each_filter(tree, staff, api, inbox, clock, params, expected):
    params = {
        key: (getattr(tree, value).pk if key in ("within", "compound") else value)
        for key, value in params.items()
    }
    assert set(keys(inbox, api(staff.street_staff).get(URL, params))) == expected


def test_search_finds_a_tracking_code_in_any_case(tree, staff, api, inbox):
    code = inbox["c"].tracking_code
    assert keys(inbox, api(staff.street_staff).get(URL, {"search": code.lower()})) == ["c"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        # Finished wishes have no due time and come last either way.
        ("due_at", ["a", "f", "b", "d", "c", "e"]),
        ("-due_at", ["c", "d", "b", "f", "a", "e"]),
        ("created_at", ["a", "f", "b", "c", "e", "d"]),
        ("-created_at", ["d", "e", "c", "b", "f", "a"]),
    ],
)
def test_ordering(tree, staff, api, inbox, ordering, expected):
    assert keys(inbox, api(staff.street_staff).get(URL, {"ordering": ordering})) == expected


def test_filters_reject_areas_outside_the_scope_and_bad_values(tree, staff, api, inbox):
    client = api(staff.community_staff)
    assert client.get(URL, {"within": tree.other_community.pk}).status_code == 400
    assert client.get(URL, {"compound": tree.other_compound.pk}).status_code == 400
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    assert client.get(URL, {"requested_from": "03/04/2026"}).status_code == 400


def test_list_rows_carry_names_flags_and_the_overdue_mark(tree, staff, api, inbox):
    rows = {row["id"]: row for row in api(staff.street_staff).get(URL).json()["results"]}
    a, c = rows[inbox["a"].pk], rows[inbox["c"].pk]
    assert (a["compound_name"], a["community_name"], a["street_name"]) == ("桂花小区", "府街社区", "海棠街道")
    assert (a["category"], a["category_name"]) == ("lighting", "照明维修")
    assert a["is_overdue"] is True and c["is_overdue"] is False
    assert (c["status"], c["claimer_kind"], c["claimer_name"]) == ("accepted", "party_member", "李党员")
    assert rows[inbox["b"].pk]["channel"] == "phone"
    assert a["level"] == "community" and a["requester_name"] == "王阿姨"


# --- masking ------------------------------------------------------------------------


def phone_in_list(client, wish):
    rows = {row["id"]: row for row in client.get(URL).json()["results"]}
    return rows[wish.pk]["requester_phone"]


def phone_in_detail(client, wish):
    response = client.get(url(wish))
    assert response.status_code == 200
    return response.json()["requester_phone"]


def test_handlers_see_the_full_number_read_only_staff_a_masked_one(tree, staff, api, clock):
    wish = submit(tree)
    for user, expected in [
        (staff.community_staff, FULL),
        (staff.street_staff, FULL),
        (staff.superuser, FULL),
        (staff.grid_secretary, MASKED),
        (staff.compound_secretary, MASKED),
    ]:
        client = api(user)
        assert phone_in_list(client, wish) == expected, user
        assert phone_in_detail(client, wish) == expected, user


def test_the_claimer_becomes_a_handler_and_the_handling_level_moves(tree, staff, api, clock):
    wish = submit(tree)
    secretary = api(staff.grid_secretary)
    assert phone_in_list(secretary, wish) == MASKED
    response = secretary.post(url(wish, "claim"), {"claimer_kind": "party_member"})
    assert response.status_code == 200 and response.json()["requester_phone"] == FULL
    assert phone_in_list(secretary, wish) == FULL and phone_in_detail(secretary, wish) == FULL
    # At street level the community no longer handles it: its staff see a masked number.
    services.wish_escalate(wish=wish, actor=staff.community_staff)
    community = api(staff.community_staff)
    assert phone_in_list(community, wish) == MASKED and phone_in_detail(community, wish) == MASKED
    assert phone_in_list(api(staff.street_staff), wish) == FULL


def test_the_list_decides_handler_exactly_like_the_service(tree, staff, api, clock):
    community_level = submit(tree)
    street_level = submit(tree)
    services.wish_escalate(wish=street_level, actor=staff.community_staff)
    claimed = submit(tree)
    services.wish_claim(wish=claimed, actor=staff.compound_secretary, claimer_kind="volunteer_team")
    other = submit(tree, compound=tree.other_compound)
    wishes = [community_level, street_level, claimed, other]
    for key in ("superuser", "district_admin", "street_staff", "other_street_staff", "community_staff",
                "other_community_staff", "grid_secretary", "compound_secretary"):
        user = getattr(staff, key)
        rows = {row["id"]: row for row in api(user).get(URL).json()["results"]}
        for wish in wishes:
            if wish.pk in rows:
                fresh = Wish.objects.get(pk=wish.pk)
                assert rows[wish.pk]["is_handler"] == services.is_handler(user, fresh), (key, wish.pk)


# --- scoping: users at every level × every endpoint --------------------------------

# Written out by hand. Who sees a wish at each compound, and who acts on it while the
# community handles it (and records reopenings and ratings for the resident).
SEES = {
    "compound": {"superuser", "district_admin", "street_staff", "community_staff", "grid_secretary", "compound_secretary"},
    "other_compound": {"superuser", "district_admin", "street_staff", "other_community_staff"},
}
ACTS = {
    "compound": {"superuser", "district_admin", "street_staff", "community_staff"},
    "other_compound": {"superuser", "district_admin", "street_staff", "other_community_staff"},
}
USERS = [
    "superuser", "district_admin", "street_staff", "other_street_staff", "community_staff",
    "other_community_staff", "grid_secretary", "compound_secretary", "no_role",
]


def _resolved(wish, staff):
    services.wish_accept(wish=wish, actor=staff.superuser)
    return services.wish_resolve(wish=wish, actor=staff.superuser, note="已修好")


# operation → (prepare the wish, method, action, body, who may: "sees" or "acts")
OPERATIONS = {
    "detail": (None, "get", None, None, "sees"),
    "accept": (None, "post", "accept", {}, "acts"),
    "claim": (None, "post", "claim", {"claimer_kind": "staff"}, "sees"),
    "release": (
        lambda w, s: services.wish_claim(wish=w, actor=s.superuser, claimer_kind="volunteer_team"),
        "post", "release", {}, "acts",
    ),
    "escalate": (None, "post", "escalate", {"note": "需要协调"}, "acts"),
    "resolve": (
        lambda w, s: services.wish_accept(wish=w, actor=s.superuser),
        "post", "resolve", {"note": "已修好"}, "acts",
    ),
    "reject": (None, "post", "reject", {"reason": "duplicate"}, "acts"),
    "reopen": (_resolved, "post", "reopen", {"note": "又坏了"}, "acts"),
    "rate": (_resolved, "post", "rate", {"rating": 5}, "acts"),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("where", ["compound", "other_compound"])
@pytest.mark.parametrize("user_key", USERS)
def test_wish_endpoint_access(tree, staff, api, clock, user_key, where, operation):
    prepare, method, action, body, who = OPERATIONS[operation]
    wish = submit(tree, compound=getattr(tree, where))
    if prepare:
        prepare(wish, staff)
    before = Wish.objects.get(pk=wish.pk)
    response = getattr(api(getattr(staff, user_key)), method)(url(wish, action), body)
    if user_key == "no_role":
        expected = 403  # holds no staff role: refused before any lookup
    elif user_key not in SEES[where]:
        expected = 404
    elif who == "acts" and user_key not in ACTS[where]:
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected, response.content
    after = Wish.objects.get(pk=wish.pk)
    if method == "post" and expected != 200:
        assert (after.status, after.level, after.claimer_kind, after.stage) == (
            before.status, before.level, before.claimer_kind, before.stage
        )


@pytest.mark.parametrize("user_key", USERS)
def test_the_inbox_lists_exactly_the_visible_wishes(tree, staff, api, clock, user_key):
    here = submit(tree)
    there = submit(tree, compound=tree.other_compound)
    response = api(getattr(staff, user_key)).get(URL)
    if user_key == "no_role":
        assert response.status_code == 403
        return
    expected = {w.pk for w, where in ((here, "compound"), (there, "other_compound")) if user_key in SEES[where]}
    assert set(ids(response)) == expected


@pytest.mark.parametrize("where", ["compound", "other_compound"])
@pytest.mark.parametrize("user_key", USERS)
def test_intake_access(tree, staff, api, clock, user_key, where):
    response = api(getattr(staff, user_key)).post(URL, {
        "compound": getattr(tree, where).pk, "category": "lighting", "title": "路灯不亮",
        "description": "小区门口路灯", "requester_name": "张大爷", "requester_phone": "13912345678",
        "channel": "phone",
    })
    if user_key == "no_role":
        expected = 403
    elif user_key not in SEES[where]:
        expected = 400  # an invisible compound does not exist for the caller
    elif user_key not in ACTS[where]:
        expected = 403
    else:
        expected = 201
    assert response.status_code == expected, response.content
    assert Wish.objects.exists() == (expected == 201)


@pytest.mark.parametrize("where", ["compound", "other_compound"])
@pytest.mark.parametrize("user_key", USERS)
def test_stats_access(tree, staff, api, clock, user_key, where):
    submit(tree, compound=getattr(tree, where))
    response = api(getattr(staff, user_key)).get(f"{URL}stats/", {"within": getattr(tree, where).pk})
    if user_key == "no_role":
        assert response.status_code == 403
    elif user_key not in SEES[where]:
        assert response.status_code == 400 and "within" in response.json()
    else:
        assert response.status_code == 200, response.content
        assert response.json()["totals"]["count"] == 1


@pytest.mark.parametrize("user_key", USERS)
def test_category_access(tree, staff, api, user_key):
    client = api(getattr(staff, user_key))
    category = Category.objects.get(code="lighting")
    configures = user_key in {"superuser", "district_admin"}
    reads = user_key != "no_role"
    assert client.get("/api/v1/wish-categories/").status_code == (200 if reads else 403)
    assert client.get(f"/api/v1/wish-categories/{category.pk}/").status_code == (200 if reads else 403)
    writes = [
        client.patch(f"/api/v1/wish-categories/{category.pk}/", {"is_active": False}),
        client.post(f"/api/v1/wish-categories/{category.pk}/time-limits/",
                    {"level": "community", "accept_hours": 4, "resolve_hours": 48}),
        client.put("/api/v1/wish-categories/defaults/",
                   {"level": "street", "accept_hours": 12, "resolve_hours": 72}),
        client.delete(f"/api/v1/wish-categories/{category.pk}/time-limits/community/"),
    ]
    assert [r.status_code for r in writes] == [200 if configures else 403] * 4, [r.content for r in writes]
    category.refresh_from_db()
    assert category.is_active is not configures
    assert TimeLimit.objects.get(category=None, level="street").accept_hours == (12 if configures else 24)


# --- transitions: happy path, conflict, permission ---------------------------------


def test_accept(tree, staff, api, clock):
    wish = submit(tree)
    assert api(staff.grid_secretary).post(url(wish, "accept")).status_code == 403
    clock.advance(hours=2)
    response = api(staff.community_staff).post(url(wish, "accept"), {"note": "马上安排"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stage"], body["accepted_late"]) == ("accepted", 2, False)
    assert body["timeline"][-1]["action"] == "accepted" and body["timeline"][-1]["actor"] == "community"
    again = api(staff.street_staff).post(url(wish, "accept"))
    assert again.status_code == 409
    assert str(Status.ACCEPTED.label) in again.json()["detail"]  # says what state it is in


def test_claim_and_release(tree, staff, api, clock):
    wish = submit(tree)
    response = api(staff.grid_secretary).post(
        url(wish, "claim"), {"claimer_kind": "party_member", "claimer_name": "李党员"}
    )
    assert response.status_code == 200
    assert (response.json()["claimer_kind"], response.json()["claimer_name"]) == ("party_member", "李党员")
    second = api(staff.community_staff).post(url(wish, "claim"), {"claimer_kind": "volunteer_team"})
    assert second.status_code == 409 and "李党员" in second.json()["detail"]
    assert api(staff.community_staff).post(url(wish, "claim"), {"claimer_kind": "x"}).status_code == 400
    # Neither the claimer nor a handler: may not release.
    assert api(staff.compound_secretary).post(url(wish, "release")).status_code == 403
    assert api(staff.other_community_staff).post(url(wish, "release")).status_code == 404
    response = api(staff.grid_secretary).post(url(wish, "release"), {"note": "换人"})
    assert response.status_code == 200 and response.json()["claimer_kind"] == ""
    assert api(staff.grid_secretary).post(url(wish, "release")).status_code == 409
    services.wish_reject(wish=wish, actor=staff.community_staff, reason="duplicate")
    assert api(staff.grid_secretary).post(url(wish, "claim"), {"claimer_kind": "staff"}).status_code == 409


def test_escalate(tree, staff, api, clock):
    wish = submit(tree)
    assert api(staff.compound_secretary).post(url(wish, "escalate")).status_code == 403
    response = api(staff.community_staff).post(url(wish, "escalate"), {"note": "需要街道协调"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["level"]) == ("street", "street")
    # Now the street's: the community may no longer act on it.
    assert api(staff.community_staff).post(url(wish, "escalate")).status_code == 403
    response = api(staff.street_staff).post(url(wish, "escalate"))
    assert response.status_code == 200 and response.json()["level"] == "centre"
    last = api(staff.street_staff).post(url(wish, "escalate"))
    assert last.status_code == 409 and last.json()["detail"]


def test_resolve_with_a_photo(tree, staff, api, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    wish = submit(tree)
    assert api(staff.community_staff).post(url(wish, "resolve"), {"note": "x"}).status_code == 409
    services.wish_accept(wish=wish, actor=staff.community_staff)
    assert api(staff.grid_secretary).post(url(wish, "resolve"), {"note": "x"}).status_code == 403
    missing = api(staff.community_staff).post(url(wish, "resolve"), {"note": ""})
    assert missing.status_code == 400 and "note" in missing.json()
    bad = api(staff.community_staff).post(
        url(wish, "resolve"),
        {"note": "已修", "photo": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")},
        format="multipart",
    )
    assert bad.status_code == 400 and "photo" in bad.json()
    disguised = api(staff.community_staff).post(
        url(wish, "resolve"),
        {"note": "已修", "photo": SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")},
        format="multipart",
    )
    assert disguised.status_code == 400 and "photo" in disguised.json()
    photo = SimpleUploadedFile("fixed.jpg", b"\xff\xd8\xff\xe0fake-jpeg", content_type="image/jpeg")
    response = api(staff.community_staff).post(
        url(wish, "resolve"), {"note": "已更换灯泡", "photo": photo}, format="multipart"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["resolution_note"], body["resolved_level"]) == ("resolved", "已更换灯泡", "community")
    # Served through the scoped photo view, stored under a random name.
    assert body["resolution_photo"].endswith(f"/wishes/{wish.pk}/photo/result/")
    assert "fixed" not in Wish.objects.get(pk=wish.pk).resolution_photo.name
    stored = Wish.objects.get(pk=wish.pk)
    assert stored.resolution_photo.read() == b"\xff\xd8\xff\xe0fake-jpeg"
    assert api(staff.community_staff).post(url(wish, "resolve"), {"note": "再修"}).status_code == 409


def test_reject(tree, staff, api, clock):
    wish = submit(tree)
    assert api(staff.grid_secretary).post(url(wish, "reject"), {"reason": "duplicate"}).status_code == 403
    bad = api(staff.community_staff).post(url(wish, "reject"), {"reason": "other"})
    assert bad.status_code == 400 and "note" in bad.json()
    assert api(staff.community_staff).post(url(wish, "reject"), {"reason": "nonsense"}).status_code == 400
    response = api(staff.community_staff).post(url(wish, "reject"), {"reason": "other", "note": "非本社区"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reject_reason"]) == ("rejected", "other")
    assert api(staff.community_staff).post(url(wish, "reject"), {"reason": "duplicate"}).status_code == 409


def test_reopen_and_rate_recorded_by_staff_for_the_resident(tree, staff, api, clock):
    wish = submit(tree)
    assert api(staff.community_staff).post(url(wish, "reopen")).status_code == 409
    assert api(staff.community_staff).post(url(wish, "rate"), {"rating": 5}).status_code == 409
    services.wish_accept(wish=wish, actor=staff.community_staff)
    services.wish_resolve(wish=wish, actor=staff.community_staff, note="已修")
    assert api(staff.grid_secretary).post(url(wish, "reopen")).status_code == 403
    assert api(staff.grid_secretary).post(url(wish, "rate"), {"rating": 5}).status_code == 403
    clock.advance(days=2)
    response = api(staff.community_staff).post(url(wish, "reopen"), {"note": "居民来电：灯又坏了"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["level"]) == ("accepted", "community")
    services.wish_resolve(wish=wish, actor=staff.community_staff, note="换了线路")
    assert api(staff.community_staff).post(url(wish, "rate"), {"rating": 7}).status_code == 400
    response = api(staff.community_staff).post(url(wish, "rate"), {"rating": 4, "comment": "电话回访"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["rating"], body["rating_comment"]) == ("closed", 4, "电话回访")
    assert api(staff.community_staff).post(url(wish, "rate"), {"rating": 5}).status_code == 409
    actors = {
        action: actor
        for action, actor in AuditEvent.objects.filter(object_id=wish.pk, content_type__model="wish")
        .values_list("action", "actor__username")
    }
    assert actors["reopened"] == "community" and actors["rated"] == "community"


def test_a_late_reopen_is_a_conflict(tree, staff, api, clock):
    wish = submit(tree)
    _resolved(wish, staff)
    clock.advance(days=8)
    response = api(staff.community_staff).post(url(wish, "reopen"))
    assert response.status_code == 409 and "7" in response.json()["detail"]


def test_detail_has_the_time_line_with_actor_usernames(tree, staff, api, clock):
    wish = submit(tree)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    services.wish_resolve(wish=wish, actor=staff.street_staff, note="已修")
    services.wish_rate(wish=wish, rating=5)  # the resident, on the public page
    timeline = api(staff.grid_secretary).get(url(wish)).json()["timeline"]
    assert [(e["action"], e["actor"]) for e in timeline] == [
        ("submitted", None), ("accepted", "community"), ("resolved", "street"), ("rated", None),
    ]
    assert timeline[1]["from_state"] == "submitted" and timeline[1]["to_state"] == "accepted"
    assert timeline[2]["note"] == "已修"


# --- bulk accept -----------------------------------------------------------------------


def test_bulk_accept_reports_each_wish(tree, staff, api, clock):
    fresh = submit(tree)
    taken = submit(tree)
    services.wish_accept(wish=taken, actor=staff.street_staff)
    elsewhere = submit(tree, compound=tree.other_compound)  # invisible to the community
    another = submit(tree)
    response = api(staff.community_staff).post(
        f"{URL}bulk-accept/", {"ids": [fresh.pk, taken.pk, elsewhere.pk, another.pk, fresh.pk, 999999]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["refused"]) == (2, 3)
    results = {(r["id"], r["result"], r["status_code"]) for r in body["results"]}
    assert results == {
        (fresh.pk, "accepted", 200), (taken.pk, "conflict", 409), (elsewhere.pk, "not_found", 404),
        (another.pk, "accepted", 200), (999999, "not_found", 404),
    }
    conflict = next(r for r in body["results"] if r["id"] == taken.pk)
    assert conflict["detail"] and conflict["status"] == "accepted"
    assert Wish.objects.get(pk=fresh.pk).status == Status.ACCEPTED
    assert Wish.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED


def test_bulk_accept_by_read_only_staff_is_refused_per_wish(tree, staff, api, clock):
    wish = submit(tree)
    body = api(staff.grid_secretary).post(f"{URL}bulk-accept/", {"ids": [wish.pk]}).json()
    assert body["results"][0]["result"] == "forbidden" and body["results"][0]["status_code"] == 403
    assert Wish.objects.get(pk=wish.pk).status == Status.SUBMITTED
    assert api(staff.community_staff).post(f"{URL}bulk-accept/", {"ids": []}).status_code == 400


# --- intake -------------------------------------------------------------------------------


def intake(tree, **extra):
    body = {
        "compound": tree.compound.pk, "category": "lighting", "title": "路灯不亮",
        "description": "小区门口路灯", "requester_name": "张大爷", "requester_phone": "13912345678",
        "requester_type": "resident", "channel": "office_day",
    }
    body.update(extra)
    return body


def test_staff_record_a_wish_for_a_resident(tree, staff, api, clock):
    response = api(staff.community_staff).post(URL, intake(tree))
    assert response.status_code == 201, response.content
    body = response.json()
    wish = Wish.objects.get(pk=body["id"])
    assert (wish.channel, wish.submitted_by, wish.community) == ("office_day", staff.community_staff, tree.community)
    assert body["requester_phone"] == "13912345678"  # the recorder handles it
    assert body["due_at"] and body["tracking_code"] == wish.tracking_code
    assert Notification.objects.filter(wish=wish, recipient=staff.community_staff, kind="new").exists()
    assert body["timeline"][0]["actor"] == "community"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"channel": "web"}, "channel"),
        ({"channel": ""}, "channel"),
        ({"requester_phone": "12345"}, "requester_phone"),
        ({"compound": "grid"}, "compound"),
        ({"category": "no-such-thing"}, "category"),
        ({"title": ""}, "title"),
    ],
)
def test_intake_errors_name_their_field(tree, staff, api, clock, extra, field):
    if extra.get("compound") == "grid":
        extra = {"compound": tree.grid.pk}
    response = api(staff.community_staff).post(URL, intake(tree, **extra))
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Wish.objects.exists()


def test_intake_refuses_an_inactive_category(tree, staff, api, clock):
    Category.objects.filter(code="lighting").update(is_active=False)
    response = api(staff.community_staff).post(URL, intake(tree))
    assert response.status_code == 400 and "category" in response.json()


# --- query counts -------------------------------------------------------------------------


def test_query_count_does_not_grow_with_page_size(tree, staff, api, clock, django_assert_max_num_queries):
    for i in range(60):
        wish = submit(tree, compound=tree.compound if i % 2 else tree.other_compound)
        if i % 3 == 0:
            services.wish_claim(wish=wish, actor=staff.superuser, claimer_kind="staff")
        if i % 5 == 0:
            services.wish_escalate(wish=wish, actor=staff.superuser)
    client = api(staff.street_staff)
    client.get(URL, {"page_size": 5})  # warm caches such as content types
    with django_assert_max_num_queries(6) as small:
        assert len(client.get(URL, {"page_size": 5}).json()["results"]) == 5
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"page_size": 60, "ordering": "due_at"})
    assert len(response.json()["results"]) == 60


def test_detail_query_count_is_bounded(tree, staff, api, clock, django_assert_max_num_queries):
    wish = submit(tree)
    for _ in range(5):
        services.wish_claim(wish=wish, actor=staff.community_staff, claimer_kind="staff")
        services.wish_release(wish=wish, actor=staff.community_staff)
    client = api(staff.grid_secretary)
    client.get(url(wish))
    with django_assert_max_num_queries(6):
        assert len(client.get(url(wish)).json()["timeline"]) == 11


# --- categories and time limits -------------------------------------------------------


CATEGORIES = "/api/v1/wish-categories/"


def test_categories_list_the_limits_in_force(tree, staff, api):
    sanitation = Category.objects.get(code="sanitation")
    TimeLimit.objects.create(category=sanitation, level="community", accept_hours=4, resolve_hours=48)
    TimeLimit.objects.filter(category=None, level="centre").delete()
    body = api(staff.compound_secretary).get(CATEGORIES).json()
    assert [c["code"] for c in body][:3] == ["lighting", "accessibility", "sanitation"]
    limits = {e["level"]: e for e in next(c for c in body if c["code"] == "sanitation")["time_limits"]}
    assert [e["level"] for e in next(c for c in body if c["code"] == "sanitation")["time_limits"]] == [
        "community", "street", "centre",
    ]
    assert (limits["community"]["accept_hours"], limits["community"]["resolve_hours"]) == (4, 48)
    assert limits["community"]["source"] == "category"
    assert (limits["community"]["default_accept_hours"], limits["community"]["default_resolve_hours"]) == (24, 168)
    assert (limits["street"]["source"], limits["street"]["accept_hours"]) == ("default", 24)
    assert limits["centre"]["source"] == "fallback"
    assert api(staff.compound_secretary).get(CATEGORIES, {"is_active": "false"}).json() == []


def test_category_queries_do_not_grow_with_the_number_of_categories(
    tree, staff, api, django_assert_max_num_queries
):
    for n in range(20):
        category = Category.objects.create(code=f"extra-{n}", name=f"类别{n}")
        TimeLimit.objects.create(category=category, level="street", accept_hours=5, resolve_hours=50)
    client = api(staff.street_staff)
    client.get(CATEGORIES)
    with django_assert_max_num_queries(4):
        assert len(client.get(CATEGORIES).json()) == Category.objects.count()


def test_district_admin_changes_a_category_with_an_audit_event(tree, staff, api):
    category = Category.objects.get(code="education")
    client = api(staff.district_admin)
    response = client.patch(f"{CATEGORIES}{category.pk}/", {"escalate_when_overdue": True})
    assert response.status_code == 200 and response.json()["escalate_when_overdue"] is True
    event = AuditEvent.objects.get(object_id=category.pk, content_type__model="category")
    assert (event.action, event.actor, event.note) == ("updated", staff.district_admin, "escalate_when_overdue")
    assert event.from_state == "escalate_when_overdue=false" and event.to_state == "escalate_when_overdue=true"
    # Nothing changed, nothing recorded; other fields are not changed here.
    assert client.patch(f"{CATEGORIES}{category.pk}/", {"escalate_when_overdue": True}).status_code == 200
    assert AuditEvent.objects.filter(object_id=category.pk, content_type__model="category").count() == 1
    response = client.patch(f"{CATEGORIES}{category.pk}/", {"name": "改名"})
    assert response.status_code == 400 and "name" in response.json()
    assert client.put(f"{CATEGORIES}{category.pk}/", {"is_active": False}).status_code == 405


def test_time_limits_are_validated_and_apply_to_new_stages(tree, staff, api, clock):
    category = Category.objects.get(code="lighting")
    client = api(staff.district_admin)
    before = submit(tree)
    for body, field in [
        ({"level": "community", "accept_hours": 0, "resolve_hours": 48}, "accept_hours"),
        ({"level": "community", "accept_hours": 4, "resolve_hours": -1}, "resolve_hours"),
        ({"level": "community", "accept_hours": 4, "resolve_hours": 999999}, "resolve_hours"),
        ({"level": "nowhere", "accept_hours": 4, "resolve_hours": 48}, "level"),
    ]:
        response = client.post(f"{CATEGORIES}{category.pk}/time-limits/", body)
        assert response.status_code == 400 and field in response.json(), response.content
    response = client.post(
        f"{CATEGORIES}{category.pk}/time-limits/", {"level": "community", "accept_hours": 4, "resolve_hours": 48}
    )
    assert response.status_code == 200
    assert response.json()["time_limits"][0] == {
        "level": "community", "level_display": str(Level.COMMUNITY.label), "accept_hours": 4,
        "resolve_hours": 48, "source": "category", "default_accept_hours": 24, "default_resolve_hours": 168,
    }
    response = client.put(
        f"{CATEGORIES}{category.pk}/time-limits/", {"level": "community", "accept_hours": 6, "resolve_hours": 48}
    )
    assert response.json()["time_limits"][0]["accept_hours"] == 6
    assert Wish.objects.get(pk=before.pk).due_at == T0 + datetime.timedelta(hours=24)  # unchanged
    assert submit(tree).due_at == T0 + datetime.timedelta(hours=6)
    events = list(
        AuditEvent.objects.filter(object_id=category.pk, content_type__model="category")
        .order_by("id").values_list("action", "from_state", "to_state")
    )
    assert events == [("time_limit_set", "", "4h/48h"), ("time_limit_set", "4h/48h", "6h/48h")]
    response = client.delete(f"{CATEGORIES}{category.pk}/time-limits/community/")
    assert response.status_code == 200 and response.json()["time_limits"][0]["source"] == "default"
    assert client.delete(f"{CATEGORIES}{category.pk}/time-limits/nowhere/").status_code == 400


def test_default_limits_are_read_by_staff_and_set_by_the_district(tree, staff, api, clock):
    body = api(staff.grid_secretary).get(f"{CATEGORIES}defaults/").json()
    assert [(e["level"], e["accept_hours"], e["resolve_hours"]) for e in body] == [
        ("community", 24, 168), ("street", 24, 168), ("centre", 24, 240),
    ]
    TimeLimit.objects.filter(category=None, level="centre").delete()
    response = api(staff.superuser).put(
        f"{CATEGORIES}defaults/", {"level": "centre", "accept_hours": 48, "resolve_hours": 480}
    )
    assert response.status_code == 200
    assert response.json()[2] == {
        "level": "centre", "level_display": str(Level.CENTRE.label), "accept_hours": 48,
        "resolve_hours": 480, "source": "default",
    }
    response = api(staff.superuser).post(
        f"{CATEGORIES}defaults/", {"level": "community", "accept_hours": 12, "resolve_hours": 96}
    )
    assert response.json()[0]["accept_hours"] == 12
    assert submit(tree).due_at == T0 + datetime.timedelta(hours=12)
    row = TimeLimit.objects.get(category=None, level="community")
    event = AuditEvent.objects.get(object_id=row.pk, content_type__model="timelimit")
    assert (event.action, event.from_state, event.to_state) == ("time_limit_set", "24h/168h", "12h/96h")
