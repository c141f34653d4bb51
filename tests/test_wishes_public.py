"""The public micro-wish pages: filing a wish without an account (one-time token,
rate limits, photo checks), tracking it with code + last 4 digits, resident actions
through the services, public boards without personal data, and the staff-only QR poster."""

import re
import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wishes import services
from wishes.models import Category, Channel, ClaimerKind, Status, Wish
from wishes.public_forms import new_form_token

from .factories import make_area, submit_wish

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WISH_RATE_LIMITS = {
        "submit_ip": (50, 3600), "submit_phone": (50, 86400),
        "track_ip": (50, 3600), "track_code": (50, 86400),
    }
    settings.PUBLIC_BASE_URL = "https://wish.example.cn"
    cache.clear()
    yield
    cache.clear()


def html(response) -> str:
    return response.content.decode()


def token_in(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def form_page(client, tree):
    response = client.get(reverse("wish-submit-compound", args=[tree.compound.code]))
    assert response.status_code == 200
    return html(response)


def wish_form(client, tree, **overrides):
    """The fields of a filled-in form, with the token of a freshly rendered form."""
    data = {
        "token": token_in(form_page(client, tree)),
        "compound": tree.compound.code,
        "category": Category.objects.get(code="lighting").pk,
        "title": "楼道灯坏了",
        "description": "3单元楼道灯不亮，晚上看不见台阶",
        "requester_type": "resident",
        "requester_name": "王阿姨",
        "requester_phone": PHONE,
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_wish(client, tree, data=None, **extra):
    data = data if data is not None else wish_form(client, tree)
    return client.post(reverse("wish-submit-compound", args=[tree.compound.code]), data, **extra)


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def verify(client, wish, last4=None):
    return client.post(reverse("wish-track"), {
        "code": wish.tracking_code, "last4": last4 or wish.requester_phone[-4:],
    })


def resolve(wish, staff, note="已更换楼道灯"):
    services.wish_accept(wish=wish, actor=staff.community_staff)
    return services.wish_resolve(wish=wish, actor=staff.community_staff, note=note)


# --- filing a wish -------------------------------------------------------------------


def test_a_resident_files_a_wish_through_the_compound_link_and_sees_the_tracking_code(client, tree):
    page = form_page(client, tree)
    assert tree.compound.name in page and "府街社区" in page
    response = post_wish(client, tree)
    wish = Wish.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("wish-submitted", args=[wish.tracking_code])
    assert wish.channel == Channel.WEB and wish.submitted_by is None
    assert (wish.compound, wish.community) == (tree.compound, tree.community)
    assert (wish.requester_name, wish.requester_phone) == ("王阿姨", PHONE)
    assert wish.idempotency_key.startswith("web-")
    done = client.get(response.url)
    assert done.status_code == 200
    assert f'class="tracking-code" aria-labelledby="code-label">{wish.tracking_code}<' in html(done)
    assert reverse("wish-track") in html(done)


def test_the_compound_search_lists_matching_compounds_with_links_to_their_form(client, tree):
    response = client.get(reverse("wish-submit"), {"q": "桂花"})
    page = html(response)
    assert reverse("wish-submit-compound", args=[tree.compound.code]) in page
    assert "柏杨小区" not in page
    assert "市中区 · 海棠街道 · 府街社区" in page
    assert "府街一网格" not in page  # the community is enough


def test_an_unknown_or_non_compound_code_in_the_link_is_a_404(client, tree):
    assert client.get(reverse("wish-submit-compound", args=["NOPE"])).status_code == 404
    assert client.get(reverse("wish-submit-compound", args=[tree.community.code])).status_code == 404


def test_a_typed_mobile_number_with_spaces_and_country_code_is_accepted(client, tree):
    post_wish(client, tree, wish_form(client, tree, requester_phone="+86 138 1234 1234"))
    assert Wish.objects.get().requester_phone == PHONE


def test_sending_the_same_form_twice_files_one_wish_and_shows_the_same_page(client, tree):
    data = wish_form(client, tree)
    first = post_wish(client, tree, data)
    second = post_wish(client, tree, data)
    assert Wish.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def test_a_second_rendering_of_the_form_carries_a_new_token(client, tree):
    assert token_in(form_page(client, tree)) != token_in(form_page(client, tree))


@pytest.mark.parametrize("token", ["", "forged", "0" * 32, "web-" + "a" * 32])
def test_a_forged_or_missing_token_is_a_form_error_and_nothing_is_stored(client, tree, token):
    response = post_wish(client, tree, wish_form(client, tree, token=token), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert Wish.objects.count() == 0
    page = html(response)
    assert "This form has expired or was not sent by this site" in page
    assert token_in(page) != token  # a fresh token to send the form again
    assert "3单元楼道灯不亮" in page  # what was typed is kept


def test_a_token_signed_for_something_else_is_refused(client, tree):
    from django.core import signing

    other = signing.dumps("a" * 32, salt="another-purpose")
    post_wish(client, tree, wish_form(client, tree, token=other))
    assert Wish.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field_error",
    [
        ({"requester_phone": "12345"}, "Enter an 11-digit mainland mobile number"),
        ({"requester_phone": "23812341234"}, "Enter an 11-digit mainland mobile number"),
        ({"consent": None}, "Please agree to the privacy notice"),
        ({"category": 999999}, "Choose one of the current categories."),
        ({"title": "x" * 61}, "at most 60 characters"),
        ({"description": "x" * 2001}, "at most 2000 characters"),
        ({"requester_name": ""}, "This field is required."),
        ({"compound": "NO-SUCH-CODE"}, "Choose a residential compound."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_stored(client, tree, overrides, field_error):
    response = post_wish(client, tree, wish_form(client, tree, **overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert field_error in html(response)
    assert Wish.objects.count() == 0


def test_an_inactive_category_is_refused(client, tree):
    category = Category.objects.get(code="lighting")
    data = wish_form(client, tree)
    category.is_active = False
    category.save()
    response = post_wish(client, tree, data, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose one of the current categories." in html(response)
    assert Wish.objects.count() == 0


def test_a_wish_for_an_area_that_is_not_a_compound_is_refused(client, tree):
    response = client.post(
        reverse("wish-submit"), wish_form(client, tree, compound=tree.community.code),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Choose a residential compound." in html(response)
    assert Wish.objects.count() == 0


# --- photos ----------------------------------------------------------------------------


def test_a_real_png_photo_is_stored_under_a_random_name(client, tree, settings):
    photo = SimpleUploadedFile("王阿姨家门口.jpg", png_bytes(), content_type="image/jpeg")
    response = post_wish(client, tree, wish_form(client, tree, photo=photo))
    assert response.status_code == 302
    wish = Wish.objects.get()
    assert wish.photo.name.startswith("wishes/") and wish.photo.name.endswith(".png")
    assert "王阿姨" not in wish.photo.name
    with wish.photo.open("rb") as stored:
        assert stored.read() == png_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.jpg", b"just some text, not a picture\n" * 10),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("photo.gif", b"GIF89a" + b"\x00" * 40),
    ],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_is_refused_whatever_its_name(
    client, tree, settings, name, content
):
    photo = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = post_wish(client, tree, wish_form(client, tree, photo=photo), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "choose a JPEG, PNG or WebP image" in html(response)
    assert Wish.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_a_photo_over_5_mb_is_refused(client, tree):
    big = SimpleUploadedFile("big.png", png_bytes() + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = post_wish(client, tree, wish_form(client, tree, photo=big), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The photo is too large" in html(response)
    assert Wish.objects.count() == 0


def test_webp_and_jpeg_are_recognised_by_their_first_bytes():
    from wishes.uploads import sniff_image

    assert sniff_image(b"RIFF\x24\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_image(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpg"
    assert sniff_image(b"RIFF\x24\x00\x00\x00WAVEfmt ") is None


# --- rate limits -------------------------------------------------------------------------


def test_too_many_wishes_from_one_address_get_a_429_and_are_not_stored(client, tree, settings):
    settings.WISH_RATE_LIMITS = {"submit_ip": (2, 3600)}
    for n in range(2):
        assert post_wish(client, tree, wish_form(client, tree, requester_phone=f"1391234000{n}")).status_code == 302
    response = post_wish(client, tree, wish_form(client, tree, requester_phone="13912340009"))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Wish.objects.count() == 2
    # Another address is not affected.
    other = post_wish(client, tree, wish_form(client, tree, requester_phone="13912340008"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_forwarded_for_headers_do_not_get_around_the_address_limit(client, tree, settings):
    settings.WISH_RATE_LIMITS = {"submit_ip": (1, 3600)}
    post_wish(client, tree, wish_form(client, tree, requester_phone="13912340001"))
    response = post_wish(
        client, tree, wish_form(client, tree, requester_phone="13912340002"),
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert response.status_code == 429


def test_too_many_wishes_for_one_mobile_number_get_a_429_and_are_not_stored(client, tree, settings):
    settings.WISH_RATE_LIMITS = {"submit_phone": (1, 86400)}
    assert post_wish(client, tree, REMOTE_ADDR="10.0.0.1").status_code == 302
    response = post_wish(client, tree, wish_form(client, tree), REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert Wish.objects.count() == 1


def test_repeating_a_filed_form_does_not_count_against_the_limit(client, tree, settings):
    settings.WISH_RATE_LIMITS = {"submit_ip": (1, 3600)}
    data = wish_form(client, tree)
    for _ in range(3):
        assert post_wish(client, tree, data).status_code == 302
    assert Wish.objects.count() == 1


def test_the_429_page_is_in_chinese_by_default(client, tree, settings):
    from django.utils import translation

    settings.WISH_RATE_LIMITS = {"submit_ip": (0, 3600)}
    response = post_wish(client, tree, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert 'lang="zh-hans"' in html(response)
    with translation.override("zh-hans"):
        expected = translation.gettext("Too many attempts")
    assert expected in html(response)


# --- tracking -----------------------------------------------------------------------------


def test_a_wrong_last4_gives_one_generic_error_and_keeps_what_was_typed(client, tree):
    wish = submit_wish(tree)
    response = client.post(reverse("wish-track"), {"code": wish.tracking_code, "last4": "0000"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No wish matches this tracking code and these digits" in html(response)
    assert wish.tracking_code in html(response)
    unknown = client.post(reverse("wish-track"), {"code": "ZZZZZZZZZZ", "last4": "1234"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert "No wish matches this tracking code and these digits" in html(unknown)
    assert client.get(reverse("wish-track-detail", args=[wish.tracking_code])).status_code == 302


def test_the_right_code_and_last4_show_the_status_and_the_session_remembers_it(client, tree):
    wish = submit_wish(tree)
    response = client.post(reverse("wish-track"), {
        "code": wish.tracking_code.lower()[:5] + " " + wish.tracking_code.lower()[5:], "last4": "1234",
    })
    assert response.url == reverse("wish-track-detail", args=[wish.tracking_code])
    page = html(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Submitted" in page and "照明维修" in page and "桂花小区" in page
    assert "3单元楼道灯不亮" in page
    assert "Not yet" in page  # not claimed
    assert PHONE not in page and "王阿姨" not in page


def test_tracking_look_ups_are_rate_limited(client, tree, settings):
    settings.WISH_RATE_LIMITS = {"track_code": (3, 86400)}
    wish = submit_wish(tree)
    for last4 in ("0000", "0001", "0002"):
        assert verify(client, wish, last4).status_code == 200
    assert verify(client, wish).status_code == 429  # even the right digits, now


def test_the_status_page_shows_no_staff_names_and_no_staff_notes(client, tree, staff):
    user = staff.community_staff
    user.username, user.first_name, user.last_name = "li_ganshi", "李", "干事"
    user.save()
    wish = submit_wish(tree)
    services.wish_accept(wish=wish, actor=staff.community_staff, note="已电话联系王阿姨 13812341234")
    services.wish_claim(wish=wish, actor=staff.community_staff,
                        claimer_kind=ClaimerKind.PARTY_MEMBER, claimer_name="张党员")
    verify(client, wish)
    page = html(client.get(reverse("wish-track-detail", args=[wish.tracking_code]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Party member" in page  # the kind of claimer only
    for secret in ("张党员", "干事", "li_ganshi", "已电话联系", PHONE):
        assert secret not in page
    assert "Accepted" in page and "Claimed" in page


def test_html_typed_into_a_wish_shows_as_text_on_the_status_page_and_the_board(client, tree):
    post_wish(client, tree, wish_form(client, tree, title=SCRIPT, description=SCRIPT + "<b>x</b>"))
    wish = Wish.objects.get()
    assert wish.title == SCRIPT
    track = html(client.get(reverse("wish-track-detail", args=[wish.tracking_code])))
    board = html(client.get(reverse("wish-board", args=[tree.community.code])))
    for page in (track, board):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)" in page
    assert "<b>x</b>" not in track and "&lt;b&gt;x&lt;/b&gt;" in track


def test_the_submitted_page_is_only_for_the_browser_that_filed_the_wish(client, tree, django_user_model):
    from django.test import Client

    response = post_wish(client, tree)
    assert Client().get(response.url).status_code == 302


# --- resident actions -------------------------------------------------------------------------


def test_a_resident_withdraws_an_open_wish_and_a_second_withdraw_is_a_conflict(client, tree):
    wish = submit_wish(tree)
    verify(client, wish)
    url = reverse("wish-withdraw", args=[wish.tracking_code])
    response = client.post(url, {"withdraw-note": "已自行解决"})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.WITHDRAWN
    again = client.post(url, {"withdraw-note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "it cannot be withdrawn now" in html(again)


def test_actions_need_the_verified_code_in_the_session(client, tree):
    wish = submit_wish(tree)
    response = client.post(reverse("wish-withdraw", args=[wish.tracking_code]), {})
    assert response.status_code == 302 and response.url.startswith(reverse("wish-track"))
    wish.refresh_from_db()
    assert wish.status == Status.SUBMITTED


def test_a_resident_rates_a_resolved_wish(client, tree, staff, clock):
    wish = submit_wish(tree)
    verify(client, wish)
    detail = reverse("wish-track-detail", args=[wish.tracking_code])
    assert 'name="rate-rating"' not in html(client.get(detail))  # not before it is resolved
    early = client.post(reverse("wish-rate", args=[wish.tracking_code]), {"rate-rating": 5})
    assert early.status_code == 409
    resolve(wish, staff)
    page = html(client.get(detail))
    assert 'name="rate-rating"' in page and "已更换楼道灯" in page
    response = client.post(reverse("wish-rate", args=[wish.tracking_code]),
                           {"rate-rating": 4, "rate-comment": "师傅很细心"})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert (wish.status, wish.rating, wish.rating_comment) == (Status.CLOSED, 4, "师傅很细心")


def test_a_rating_without_a_choice_keeps_the_comment_typed(client, tree, staff, clock):
    wish = submit_wish(tree)
    resolve(wish, staff)
    verify(client, wish)
    response = client.post(reverse("wish-rate", args=[wish.tracking_code]),
                           {"rate-comment": "还可以"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Choose how satisfied you are." in html(response) and "还可以" in html(response)
    wish.refresh_from_db()
    assert wish.status == Status.RESOLVED


def test_a_resident_reopens_within_7_days_and_not_after(client, tree, staff, clock):
    wish = submit_wish(tree)
    resolve(wish, staff)
    verify(client, wish)
    url = reverse("wish-reopen", args=[wish.tracking_code])
    empty = client.post(url, {"reopen-note": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 200 and "Say what is still not solved." in html(empty)
    clock.advance(days=3)
    assert client.post(url, {"reopen-note": "灯又坏了"}).status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.ACCEPTED and wish.resolved_at is None

    services.wish_resolve(wish=wish, actor=staff.community_staff, note="重新接线")
    clock.advance(days=8)
    page = html(client.get(reverse("wish-track-detail", args=[wish.tracking_code])))
    assert 'name="reopen-note"' not in page  # no longer offered
    late = client.post(url, {"reopen-note": "还是不亮"}, HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 409
    assert "within 7 days" in html(late)
    wish.refresh_from_db()
    assert wish.status == Status.RESOLVED


def test_a_closed_wish_can_still_be_reopened_within_7_days(client, tree, staff, clock):
    wish = submit_wish(tree)
    resolve(wish, staff)
    services.wish_rate(wish=wish, rating=2)
    verify(client, wish)
    clock.advance(days=1)
    assert client.post(reverse("wish-reopen", args=[wish.tracking_code]), {"reopen-note": "没修好"}).status_code == 302
    wish.refresh_from_db()
    assert wish.status == Status.ACCEPTED and wish.rating is None


# --- public boards -------------------------------------------------------------------------


def test_the_boards_show_no_names_phones_or_descriptions(client, tree, staff):
    open_wish = submit_wish(tree, requester_name="赵大爷", requester_phone="13912345678",
                            description="我家住3单元201，电话13912345678")
    services.wish_claim(wish=open_wish, actor=staff.community_staff,
                        claimer_kind=ClaimerKind.VOLUNTEER_TEAM, claimer_name="青年志愿队张三")
    done = submit_wish(tree, title="坡道扶手松动", requester_name="钱阿姨", requester_phone="13700001111",
                       category="accessibility", description="钱阿姨家楼下")
    resolve(done, staff, note="已加固扶手")
    services.wish_rate(wish=done, rating=5, comment="非常及时")
    for name in ("wish-board", "wish-resolved-board"):
        page = html(client.get(reverse(name, args=[tree.community.code]), HTTP_ACCEPT_LANGUAGE="en"))
        for secret in ("赵大爷", "钱阿姨", "13912345678", "1391234", "5678", "13700001111",
                       "我家住3单元201", "张三", open_wish.tracking_code, done.tracking_code):
            assert secret not in page, (name, secret)
    open_page = html(client.get(reverse("wish-board", args=[tree.community.code]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "楼道灯坏了" in open_page and "Volunteer team" in open_page and "坡道扶手松动" not in open_page
    resolved_page = html(client.get(reverse("wish-resolved-board", args=[tree.community.code])))
    assert "坡道扶手松动" in resolved_page and "已加固扶手" in resolved_page and "非常及时" in resolved_page
    assert "★★★★★" in resolved_page


def test_withdrawn_and_rejected_wishes_are_not_on_the_boards(client, tree, staff):
    services.wish_withdraw(wish=submit_wish(tree, title="撤回的心愿"))
    services.wish_reject(wish=submit_wish(tree, title="不受理的心愿"), actor=staff.community_staff,
                         reason="out_of_scope")
    for name in ("wish-board", "wish-resolved-board"):
        page = html(client.get(reverse(name, args=[tree.community.code])))
        assert "撤回的心愿" not in page and "不受理的心愿" not in page


def test_a_board_shows_only_its_own_community(client, tree):
    submit_wish(tree, title="府街的心愿")
    submit_wish(tree, compound=tree.other_compound, title="柏杨的心愿")
    page = html(client.get(reverse("wish-board", args=[tree.community.code])))
    assert "府街的心愿" in page and "柏杨的心愿" not in page


@pytest.mark.parametrize("name", ["wish-board", "wish-resolved-board"])
def test_board_queries_do_not_grow_with_the_page_size(client, tree, staff, name, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            wish = submit_wish(tree, title=f"心愿{i}")
            if name == "wish-resolved-board":
                resolve(wish, staff)
                services.wish_rate(wish=wish, rating=1 + i % 5, comment="好")

    url = reverse(name, args=[tree.community.code])
    fill(2)
    with django_assert_max_num_queries(4):
        client.get(url)
    fill(23)
    with django_assert_max_num_queries(4):
        page = html(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Page 1 of 2" in page


def test_an_unknown_board_is_a_404(client, tree):
    assert client.get(reverse("wish-board", args=["NOPE"])).status_code == 404
    assert client.get(reverse("wish-board", args=[tree.compound.code])).status_code == 404


def test_the_board_index_lists_communities_with_wishes(client, tree):
    submit_wish(tree)
    page = html(client.get(reverse("wish-board-index")))
    assert reverse("wish-board", args=[tree.community.code]) in page
    assert reverse("wish-board", args=[tree.other_community.code]) not in page


def test_a_park_grid_without_a_community_has_its_own_board(client, tree):
    from communities.models import AreaKind

    zone = make_area(AreaKind.ZONE, tree.district, name="高新园区")
    grid = make_area(AreaKind.GRID, zone, name="园区一网格")
    compound = make_area(AreaKind.COMPOUND, grid, name="人才公寓")
    wish = submit_wish(tree, compound=compound, title="园区心愿")
    assert wish.community == grid
    assert "园区心愿" in html(client.get(reverse("wish-board", args=[grid.code])))


# --- poster ---------------------------------------------------------------------------------


def test_the_poster_needs_a_login(client, tree):
    response = client.get(reverse("wish-poster", args=[tree.compound.code]))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("who", ["other_community_staff", "other_street_staff", "no_role"])
def test_the_poster_is_a_404_outside_the_users_scope(client, tree, staff, who):
    client.force_login(getattr(staff, who))
    assert client.get(reverse("wish-poster", args=[tree.compound.code])).status_code == 404


@pytest.mark.parametrize("who", ["community_staff", "compound_secretary", "street_staff"])
def test_the_poster_has_a_qr_code_of_the_compound_form_for_staff_in_scope(client, tree, staff, who):
    client.force_login(getattr(staff, who))
    response = client.get(reverse("wish-poster", args=[tree.compound.code]))
    assert response.status_code == 200
    page = html(response)
    assert "<svg" in page and "桂花小区" in page
    assert f"https://wish.example.cn{reverse('wish-submit-compound', args=[tree.compound.code])}" in page


def test_the_poster_of_a_non_compound_is_a_404(client, tree, staff):
    client.force_login(staff.community_staff)
    assert client.get(reverse("wish-poster", args=[tree.community.code])).status_code == 404


def test_the_public_pages_have_no_staff_navigation(client, tree, staff):
    client.force_login(staff.community_staff)
    page = html(client.get(reverse("wish-home")))
    assert reverse("area-list") not in page and reverse("logout") not in page
    assert reverse("wish-submit") in page and reverse("wish-track") in page


def test_a_fresh_form_token_is_signed():
    from wishes.public_forms import idempotency_key_from

    assert idempotency_key_from(new_form_token()).startswith("web-")
    assert idempotency_key_from(new_form_token() + "x") is None
