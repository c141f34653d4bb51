"""Races on micro-wishes over real PostgreSQL connections: each thread has its own
connection and transaction, and all start together at a barrier."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from governance.models import AuditEvent
from wishes import services
from wishes.models import Status, Wish
from wishes.services import WishConflict

from .concurrent import run_together
from .factories import UserFactory, give_role, submit_wish

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def events(wish, action):
    return AuditEvent.objects.filter(object_id=wish.pk, content_type__model="wish", action=action).count()


def test_two_simultaneous_accepts_leave_exactly_one(tree, staff):
    wish = submit_wish(tree)
    results = run_together(
        lambda: services.wish_accept(wish=wish, actor=staff.community_staff),
        lambda: services.wish_accept(wish=wish, actor=staff.street_staff),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, WishConflict), repr(error)
    stored = Wish.objects.get(pk=wish.pk)
    assert (stored.status, stored.stage) == (Status.ACCEPTED, 2)
    assert events(wish, "accepted") == 1


def test_four_simultaneous_claims_leave_exactly_one(tree, staff):
    wish = submit_wish(tree)
    claimers = [
        (staff.community_staff, "staff", "社区干部"),
        (staff.grid_secretary, "party_member", "李党员"),
        (staff.compound_secretary, "volunteer_team", "志愿服务队"),
        (staff.street_staff, "caring_merchant", "好邻居超市"),
    ]
    results = run_together(*[
        (lambda u=u, k=k, n=n: services.wish_claim(wish=wish, actor=u, claimer_kind=k, claimer_name=n))
        for u, k, n in claimers
    ])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "error", "error", "ok"], results
    for kind, value in results:
        if kind == "error":
            assert isinstance(value, WishConflict), repr(value)
    winner = next(value for kind, value in results if kind == "ok")
    stored = Wish.objects.get(pk=wish.pk)
    assert (stored.claimer_kind, stored.claimer_name) == (winner.claimer_kind, winner.claimer_name)
    assert events(wish, "claimed") == 1


def test_two_simultaneous_api_accepts_answer_200_and_409(tree, staff):
    wish = submit_wish(tree)
    second = UserFactory(username="community-b")
    give_role(second, tree.community, "community_staff")

    def accept_as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client.post(f"/api/v1/wishes/{wish.pk}/accept/", {"note": "接单"})

    results = run_together(lambda: accept_as(staff.community_staff), lambda: accept_as(second))
    assert all(kind == "ok" for kind, _ in results), results
    codes = sorted(response.status_code for _, response in results)
    assert codes == [200, 409], [r.content for _, r in results]
    conflict = next(r for _, r in results if r.status_code == 409)
    assert conflict.json()["detail"]
    assert Wish.objects.get(pk=wish.pk).status == Status.ACCEPTED
    assert events(wish, "accepted") == 1


def test_bulk_accepts_racing_each_other_accept_each_wish_once(tree, staff):
    wishes = [submit_wish(tree) for _ in range(6)]
    ids = [w.pk for w in wishes]

    def bulk(user, order):
        client = APIClient()
        client.force_authenticate(user)
        return client.post("/api/v1/wishes/bulk-accept/", {"ids": order}).json()

    results = run_together(
        lambda: bulk(staff.community_staff, ids),
        lambda: bulk(staff.street_staff, list(reversed(ids))),
    )
    assert all(kind == "ok" for kind, _ in results), results
    accepted = [r["id"] for _, body in results for r in body["results"] if r["result"] == "accepted"]
    conflicts = [r["id"] for _, body in results for r in body["results"] if r["result"] == "conflict"]
    assert sorted(accepted) == sorted(ids)
    assert sorted(accepted + conflicts) == sorted(ids * 2)
    assert set(Wish.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.ACCEPTED}
