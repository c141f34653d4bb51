"""The published results (no login): closed periods only, ranked tables with stars
and plain statuses, each company's history; no personal data, no household codes,
no staff names; queries constant in the number of companies."""

import datetime

import pytest
from django.urls import reverse

from properties.models import PeriodStatus, ResultStatus

from .factories import UserFactory
from .property_factories import (
    make_company,
    make_household,
    make_mode,
    make_period,
    make_result,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def published(tree, clock):
    chief = UserFactory(username="chief-rater", first_name="李主任")
    closed = make_period(
        tree.district, year=2025, half=2, status=PeriodStatus.CLOSED,
        closed_at=datetime.datetime(2026, 1, 16, tzinfo=datetime.UTC), closed_by=chief,
    )
    open_ = make_period(tree.district, year=2026, half=1, status=PeriodStatus.OPEN)
    best = make_company(tree.district, name="海棠物业", contact_name="张经理", contact_phone="13812345678")
    thin = make_company(tree.district, name="柏杨物业")
    partial = make_company(tree.district, name="府街物业")
    make_mode(tree.compound, company=best)
    make_household(tree.compound, code="ABCDEFGHJK")
    make_result(closed, best, stars=5, total=92, rank=1)
    make_result(closed, thin, status=ResultStatus.INSUFFICIENT_SAMPLE, owner_count=3, owner_score=70,
                review_score=75, inspection_score=80, total=None, stars=None, rank=None)
    make_result(closed, partial, status=ResultStatus.INCOMPLETE, owner_score=81, review_score=None,
                total=None, stars=None, rank=None)
    return {"closed": closed, "open": open_, "best": best, "thin": thin, "partial": partial}


def html(response) -> str:
    return response.content.decode()


def test_the_index_lists_closed_periods_only_in_chinese_by_default(client, published):
    response = client.get(reverse("property-results"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = html(response)
    assert 'lang="zh-hans"' in page
    assert reverse("property-results-period", args=[published["closed"].pk]) in page
    assert reverse("property-results-period", args=[published["open"].pk]) not in page


def test_the_index_puts_the_newest_period_first(client, tree, published):
    older = make_period(tree.district, year=2024, half=1, status=PeriodStatus.CLOSED)
    page = html(client.get(reverse("property-results")))
    assert page.index(f"/property/results/{published['closed'].pk}/") < page.index(f"/property/results/{older.pk}/")


def test_a_closed_period_shows_the_ranked_table(client, published):
    response = client.get(reverse("property-results-period", args=[published["closed"].pk]), **EN)
    assert response.status_code == 200
    page = html(response)
    assert page.index("海棠物业") < page.index("柏杨物业")
    assert "★★★★★" in page
    assert 'role="img" aria-label="5 stars of 5"' in page
    assert "Insufficient sample" in page
    assert "Incomplete" in page
    assert "92.00" in page
    assert reverse("property-company-history", args=[published["best"].pk]) in page


@pytest.mark.parametrize("status", [PeriodStatus.OPEN, PeriodStatus.SCHEDULED])
def test_open_and_scheduled_periods_are_not_public(client, tree, published, status):
    published["open"].status = status
    published["open"].save()
    make_result(published["open"], published["best"])
    response = client.get(reverse("property-results-period", args=[published["open"].pk]))
    assert response.status_code == 404
    history = html(client.get(reverse("property-company-history", args=[published["best"].pk])))
    assert reverse("property-results-period", args=[published["open"].pk]) not in history


def test_an_unknown_period_is_a_404(client, published):
    assert client.get(reverse("property-results-period", args=[999999])).status_code == 404


def test_public_pages_carry_no_personal_data_codes_or_staff_names(client, published):
    pages = [
        client.get(reverse("property-results")),
        client.get(reverse("property-results-period", args=[published["closed"].pk])),
        client.get(reverse("property-company-history", args=[published["best"].pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        page = html(response)
        for secret in ("张经理", "13812345678", "ABCDEFGHJK", "ABCDE-FGHJK", "李主任", "chief-rater"):
            assert secret not in page, secret


def test_a_company_history_shows_its_closed_results_and_the_compounds_it_serves(client, tree, published):
    response = client.get(reverse("property-company-history", args=[published["best"].pk]), **EN)
    assert response.status_code == 200
    page = html(response)
    assert "海棠物业" in page
    assert reverse("property-results-period", args=[published["closed"].pk]) in page
    assert "桂花小区" in page
    assert "柏杨小区" not in page


def test_a_company_without_published_results_is_a_404(client, tree, published):
    unrated = make_company(tree.district, name="无名物业")
    assert client.get(reverse("property-company-history", args=[unrated.pk])).status_code == 404
    assert client.get(reverse("property-company-history", args=[999999])).status_code == 404


def test_the_public_pages_need_no_login(client, published):
    for name, args in (("property-results", []), ("property-results-period", [published["closed"].pk])):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_the_queries_do_not_grow_with_the_number_of_companies(client, tree, published, django_assert_max_num_queries):
    closed, best = published["closed"], published["best"]
    period_url = reverse("property-results-period", args=[closed.pk])
    history_url = reverse("property-company-history", args=[best.pk])
    with django_assert_max_num_queries(10) as period_small:
        client.get(period_url)
    with django_assert_max_num_queries(10) as history_small:
        client.get(history_url)
    with django_assert_max_num_queries(10) as index_small:
        client.get(reverse("property-results"))
    for n in range(20):
        company = make_company(tree.district, name=f"物业{n}")
        make_result(closed, company, rank=n + 2, stars=3, total=75)
    for year in (2020, 2021, 2022, 2023):
        period = make_period(tree.district, year=year, half=1, status=PeriodStatus.CLOSED)
        make_result(period, best)
    for compound_no in range(5):
        from communities.models import AreaKind

        from .factories import make_area

        compound = make_area(AreaKind.COMPOUND, tree.community, name=f"新小区{compound_no}")
        make_mode(compound, company=best)
    with django_assert_max_num_queries(len(period_small.captured_queries)):
        assert client.get(period_url).status_code == 200
    with django_assert_max_num_queries(len(history_small.captured_queries)):
        assert client.get(history_url).status_code == 200
    with django_assert_max_num_queries(len(index_small.captured_queries)):
        assert client.get(reverse("property-results")).status_code == 200


def test_a_long_ranking_is_paged_and_searchable(client, tree, published, monkeypatch):
    monkeypatch.setattr("properties.views.public.RESULTS_PER_PAGE", 2)
    closed = published["closed"]
    url = reverse("property-results-period", args=[closed.pk])
    first = html(client.get(url, **EN))
    assert "海棠物业" in first and "Page 1 of 2" in first
    second = html(client.get(url, {"page": 2}, **EN))
    assert "海棠物业" not in second  # the ranked company comes first, unranked ones after
    names = ("柏杨物业", "府街物业")
    assert sum(n in first for n in names) == 1 and sum(n in second for n in names) == 1
    found = html(client.get(url, {"q": "柏杨"}, **EN))
    assert "柏杨物业" in found and "海棠物业" not in found
    assert "No company of that name" in html(client.get(url, {"q": "不存在"}, **EN))
