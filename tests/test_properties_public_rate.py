"""The residents' rating form at /property/rate/: code first, then five aspects and
a comment, a thank-you page saying whether the rating replaced an earlier one,
clear refusals, and a rate limit on unknown codes. No login, nothing personal."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from properties.models import OwnerRating, PeriodStatus, ServiceModeKind

from .property_factories import make_company, make_household, make_mode, make_period

pytestmark = pytest.mark.django_db

CODE = "ABCDEFGHJK"
ASPECTS = {"service": 5, "cleanliness": 4, "security": 4, "maintenance": 3, "transparency": 5}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.PROPERTY_RATE_LIMITS = {"code_ip": (50, 3600)}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def period(tree, clock):
    company = make_company(tree.district, name="海棠物业")
    make_mode(tree.compound, company=company)
    make_household(tree.compound, building="1", unit="2", room="301", code=CODE)
    return make_period(tree.district)


def html(response) -> str:
    return response.content.decode()


def url(**params):
    base = reverse("property-rate")
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def form_fields(client, code=CODE):
    """The hidden fields of step 2, as a browser would send them back."""
    page = html(client.get(url(code=code)))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    stored = re.search(r'name="code" value="([^"]+)"', page).group(1)
    return {"code": stored, "token": token}


def send(client, **overrides):
    data = {**form_fields(client), **ASPECTS, "comment": "", **overrides}
    return client.post(reverse("property-rate"), data, **EN)


def test_the_first_step_asks_for_the_code_only_in_chinese_by_default(client, period):
    response = client.get(reverse("property-rate"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = html(response)
    assert 'lang="zh-hans"' in page
    assert 'name="code"' in page
    assert 'name="service"' not in page
    # Nothing personal is asked: the code is the only input.
    inputs = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', page)) - {"language", "next", "csrfmiddlewaretoken"}
    assert inputs == {"code"}
    assert 'type="tel"' not in page


def test_the_code_from_the_link_shows_the_compound_the_company_and_the_five_aspects(client, period):
    response = client.get(url(code="abcde-fghjk"), **EN)
    page = html(response)
    assert response.status_code == 200
    assert "桂花小区" in page and "海棠物业" in page
    for aspect in ASPECTS:
        assert page.count(f'name="{aspect}"') == 5
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="comment"' in page


def test_a_rating_is_recorded_and_the_thanks_page_says_so(client, period):
    response = send(client, comment="保洁很好")
    assert response.status_code == 302
    assert response["Location"] == reverse("property-rate-thanks")
    thanks = html(client.get(response["Location"], **EN))
    assert "Your household's rating was recorded." in thanks
    assert "replaces the earlier one" not in thanks
    rating = OwnerRating.objects.get()
    assert rating.comment == "保洁很好" and str(rating.score) == "84.00"


def test_rating_again_replaces_the_earlier_rating_and_says_so(client, period):
    send(client)
    response = send(client, service=1)
    assert response.status_code == 302
    thanks = html(client.get(response["Location"], **EN))
    assert "Your household had already rated; this rating replaces the earlier one." in thanks
    rating = OwnerRating.objects.get()
    assert (rating.service, rating.times_replaced) == (1, 1)


def test_sending_the_same_form_twice_is_not_a_replacement(client, period):
    data = {**form_fields(client), **ASPECTS}
    client.post(reverse("property-rate"), data)
    again = client.post(reverse("property-rate"), data)
    assert again.status_code == 302
    assert OwnerRating.objects.get().times_replaced == 0


def test_an_unknown_code_is_refused_with_a_clear_message(client, period):
    response = client.get(url(code="ZZZZZZZZZZ"), **EN)
    assert response.status_code == 200
    assert "This rating code is not known" in html(response)
    assert 'name="service"' not in html(response)


def test_missing_aspects_are_asked_again_and_nothing_is_stored(client, period):
    data = {**form_fields(client), "service": 5, "cleanliness": 9}
    response = client.post(reverse("property-rate"), data, **EN)
    assert response.status_code == 200
    page = html(response)
    assert "Choose 1 to 5 stars." in page or "Select a valid choice" in page
    assert "海棠物业" in page
    assert not OwnerRating.objects.exists()


def test_a_closed_period_is_explained_and_nothing_is_stored(client, period, clock):
    period.status = PeriodStatus.CLOSED
    period.closed_at = clock()
    period.save()
    response = client.get(url(code=CODE), **EN)
    page = html(response)
    assert "closed on" in page and "ratings are no longer accepted" in page
    assert 'name="service"' not in page
    # A form opened before the close and sent after it is refused too.
    posted = client.post(reverse("property-rate"), {"code": CODE, "token": "t", **ASPECTS}, **EN)
    assert "ratings are no longer accepted" in html(posted)
    assert not OwnerRating.objects.exists()


def test_a_period_not_yet_open_is_explained(client, period):
    period.status = PeriodStatus.SCHEDULED
    period.save()
    page = html(client.get(url(code=CODE), **EN))
    assert "not accepted yet" in page
    assert 'name="service"' not in page


def test_a_compound_without_a_company_is_explained(client, period, tree):
    make_mode(tree.other_compound, kind=ServiceModeKind.FALLBACK)
    make_household(tree.other_compound, code="MNPQRSTUVW")
    page = html(client.get(url(code="MNPQRSTUVW"), **EN))
    assert "Your compound has no property company to rate this period" in page


def test_unknown_codes_are_rate_limited_per_address(client, period, settings):
    settings.PROPERTY_RATE_LIMITS = {"code_ip": (3, 3600)}
    for n in range(3):
        assert client.get(url(code=f"ZZZZZZZZZ{n + 2}")).status_code == 200
    blocked = client.get(url(code="ZZZZZZZZZ9"))
    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    # Over the limit even a real code is refused, so guessing reveals nothing more…
    assert client.get(url(code=CODE)).status_code == 429
    assert client.post(reverse("property-rate"), {"code": CODE, "token": "t", **ASPECTS}).status_code == 429
    assert not OwnerRating.objects.exists()
    # …while another address is not affected.
    assert client.get(url(code=CODE), REMOTE_ADDR="10.0.0.9").status_code == 200


def test_known_codes_do_not_count_against_the_limit(client, period, settings):
    settings.PROPERTY_RATE_LIMITS = {"code_ip": (1, 3600)}
    for _ in range(5):
        assert client.get(url(code=CODE)).status_code == 200
    assert send(client).status_code == 302


def test_the_thanks_page_without_a_rating_goes_back_to_the_form(client):
    response = client.get(reverse("property-rate-thanks"))
    assert response.status_code == 302 and response["Location"] == reverse("property-rate")
