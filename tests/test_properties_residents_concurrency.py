"""Two first ratings of one household at the same moment, on separate PostgreSQL
connections: one row, the second is a replacement of the first."""

import pytest
from django.db import connection

from properties.models import OwnerRating
from properties.services_residents import owner_rating_submit

from .concurrent import run_together
from .property_factories import make_company, make_household, make_mode, make_period

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ASPECTS = {"service": 5, "cleanliness": 4, "security": 4, "maintenance": 3, "transparency": 5}


def test_a_double_first_submit_leaves_one_row(tree, clock):
    company = make_company(tree.district)
    make_mode(tree.compound, company=company)
    period = make_period(tree.district)
    make_household(tree.compound, code="ABCDEFGHJK")

    def submit(service):
        return owner_rating_submit(period=period, code="ABCDEFGHJK", **{**ASPECTS, "service": service})

    for _round in range(3):
        OwnerRating.objects.all().delete()
        results = run_together(lambda: submit(5), lambda: submit(1))
        assert all(kind == "ok" for kind, _ in results), results
        replaced = sorted(value[1] for _, value in results)
        assert replaced == [False, True]
        stored = OwnerRating.objects.get()
        assert stored.times_replaced == 1
        # The replacement's values are the ones kept.
        winner = next(value[0] for _, value in results if value[1] is True)
        assert stored.service == winner.service


def test_ratings_of_different_households_do_not_block_each_other(tree, clock):
    company = make_company(tree.district)
    make_mode(tree.compound, company=company)
    period = make_period(tree.district)
    codes = ["ABCDEFGHJK", "BCDEFGHJKL", "CDEFGHJKLM", "DEFGHJKLMN"]
    for code in codes:
        make_household(tree.compound, code=code)
    results = run_together(*[
        (lambda code=code: owner_rating_submit(period=period, code=code, **ASPECTS)) for code in codes
    ])
    assert all(kind == "ok" and value[1] is False for kind, value in results), results
    assert OwnerRating.objects.count() == 4
