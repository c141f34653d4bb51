"""Races on real PostgreSQL connections: each thread has its own connection and
transaction, started together at a barrier."""


import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from communities import services as area_services
from communities.models import Area, AreaKind
from partyorgs import services
from partyorgs.models import Post, PostRole

from .concurrent import run_together
from .factories import PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def test_two_simultaneous_secretary_appointments_leave_exactly_one(tree, staff, orgs):
    org = orgs["grid_org"]
    people = [PersonFactory(area=tree.compound) for _ in range(4)]
    results = run_together(*[
        (lambda p=p: services.post_appoint(
            actor=staff.superuser, organisation=org, person=p, role=PostRole.SECRETARY
        ))
        for p in people
    ])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "error", "error", "ok"]
    for kind, value in results:
        if kind == "error":
            assert isinstance(value, ValidationError), repr(value)
    assert Post.objects.current().secretaries().filter(organisation=org).count() == 1


def test_simultaneous_moves_of_a_node_and_its_ancestor_keep_every_path_consistent(tree, staff):
    # One user moves the community to the other street while another moves a
    # compound inside it to the other community and a third renames nodes.
    extra = area_services.area_create(
        actor=staff.superuser, parent=tree.grid, kind=AreaKind.COMPOUND, name="并发小区", code="RACE-1"
    )
    results = run_together(
        lambda: area_services.area_move(
            actor=staff.superuser, area=tree.community, new_parent=tree.other_street
        ),
        lambda: area_services.area_move(
            actor=staff.superuser, area=extra, new_parent=tree.other_community
        ),
        lambda: area_services.area_move(
            actor=staff.superuser, area=tree.compound, new_parent=tree.other_community
        ),
    )
    assert all(kind == "ok" for kind, _ in results), results
    by_id = {a.pk: a for a in Area.objects.all()}
    for area in by_id.values():
        parent = by_id.get(area.parent_id)
        expected = f"{parent.path if parent else '/'}{area.pk}/"
        assert area.path == expected, (area.name, area.path, expected)
        assert area.depth == (parent.depth + 1 if parent else 1)
    assert by_id[tree.building.pk].path.startswith(by_id[tree.other_community.pk].path)
