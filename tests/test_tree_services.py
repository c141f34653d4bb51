"""Rules of the territory tree, through the services every form and endpoint uses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communities import services
from communities.models import Area, AreaKind
from governance.models import AuditEvent

from .factories import make_area, make_org

pytestmark = pytest.mark.django_db


def test_it_builds_paths_and_depths_from_ids(tree, staff):
    compound = services.area_create(
        actor=staff.community_staff, parent=tree.grid, kind=AreaKind.COMPOUND,
        name="新小区", code="NEW-1", is_old_compound=True, build_year=1992,
    )
    assert compound.path == f"{tree.grid.path}{compound.pk}/"
    assert compound.depth == tree.grid.depth + 1
    assert list(Area.objects.within(tree.community)).count(compound) == 1
    event = AuditEvent.objects.get(object_id=compound.pk, action="created")
    assert event.actor == staff.community_staff


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (AreaKind.COMPOUND, "street"),
        (AreaKind.BUILDING, "community"),
        (AreaKind.COMMUNITY, "district"),
        (AreaKind.STREET, "community"),
        (AreaKind.DISTRICT, "street"),
    ],
)
def test_it_refuses_a_child_of_the_wrong_kind(tree, staff, kind, parent_attr):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as err:
        services.area_create(
            actor=staff.superuser, parent=getattr(tree, parent_attr), kind=kind,
            name="x", code="BAD-1",
        )
    assert "parent" in err.value.message_dict
    assert Area.objects.count() == before


def test_it_refuses_a_street_without_a_parent(db, django_user_model):
    root = django_user_model.objects.create_superuser("r", "r@example.org", "x")
    with pytest.raises(ValidationError) as err:
        services.area_create(actor=root, parent=None, kind=AreaKind.STREET, name="s", code="S")
    assert "parent" in err.value.message_dict


def test_only_compounds_carry_old_compound_and_build_year(tree, staff):
    with pytest.raises(ValidationError) as err:
        services.area_create(
            actor=staff.superuser, parent=tree.street, kind=AreaKind.COMMUNITY,
            name="c", code="C-X", is_old_compound=True, build_year=1990,
        )
    assert {"is_old_compound", "build_year"} <= set(err.value.message_dict)


def test_it_refuses_a_duplicate_code_with_a_field_message(tree, staff):
    with pytest.raises(ValidationError) as err:
        services.area_create(
            actor=staff.superuser, parent=tree.street, kind=AreaKind.COMMUNITY,
            name="dup", code=tree.community.code,
        )
    assert "code" in err.value.message_dict


def test_moving_a_subtree_rewrites_every_path_below_it(tree, staff):
    services.area_move(actor=staff.district_admin, area=tree.community, new_parent=tree.other_street)
    community = Area.objects.get(pk=tree.community.pk)
    assert community.path == f"{tree.other_street.path}{community.pk}/"
    for node in (tree.grid, tree.compound, tree.building):
        node.refresh_from_db()
        assert node.path.startswith(community.path)
        assert node.depth == node.path.count("/") - 1
    assert Area.objects.within(tree.other_street).filter(pk=tree.building.pk).exists()
    assert not Area.objects.within(tree.street).filter(pk=tree.building.pk).exists()
    event = AuditEvent.objects.get(object_id=community.pk, action="moved")
    assert event.from_state == tree.community.path and event.to_state == community.path


def test_it_refuses_to_move_a_node_under_its_own_descendant(tree, staff):
    before = dict(Area.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError) as err, translation.override("en"):
        services.area_move(actor=staff.superuser, area=tree.street, new_parent=tree.community)
    assert "inside its own subtree" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.area_move(actor=staff.superuser, area=tree.grid, new_parent=tree.grid)
    assert "parent" in err.value.message_dict
    assert dict(Area.objects.values_list("pk", "path")) == before


def test_a_move_to_the_same_parent_changes_nothing(tree, staff):
    services.area_move(actor=staff.superuser, area=tree.grid, new_parent=tree.community)
    assert not AuditEvent.objects.filter(object_id=tree.grid.pk, action="moved").exists()


def test_a_move_that_would_strand_a_party_org_is_refused(tree, staff, orgs):
    # The grid's party organisation hangs under 府街社区党委; moving the grid to the
    # other community would leave it under a committee that no longer covers it.
    with pytest.raises(ValidationError) as err:
        services.area_move(actor=staff.superuser, area=tree.grid, new_parent=tree.other_community)
    assert "府街社区党委" in str(err.value)
    tree.grid.refresh_from_db()
    assert tree.grid.parent_id == tree.community.pk


def test_changing_a_kind_must_still_fit_the_children(tree, staff):
    with pytest.raises(ValidationError) as err:
        services.area_update(actor=staff.superuser, area=tree.grid, kind=AreaKind.COMPOUND)
    assert "kind" in err.value.message_dict or "parent" in err.value.message_dict


def test_an_update_without_changes_writes_no_event(tree, staff):
    services.area_update(actor=staff.superuser, area=tree.grid, name=tree.grid.name)
    assert not AuditEvent.objects.filter(object_id=tree.grid.pk, action="updated").exists()


def test_an_update_records_which_fields_changed(tree, staff):
    services.area_update(actor=staff.community_staff, area=tree.compound, households=420)
    tree.compound.refresh_from_db()
    assert tree.compound.households == 420
    assert AuditEvent.objects.get(object_id=tree.compound.pk, action="updated").note == "households"


def test_deleting_refuses_a_node_with_children_or_records(tree, staff, orgs):
    with pytest.raises(ValidationError):
        services.area_delete(actor=staff.superuser, area=tree.compound)
    with pytest.raises(ValidationError):
        services.area_delete(actor=staff.superuser, area=tree.building)  # has a party group
    leaf = make_area(AreaKind.BUILDING, tree.compound)
    services.area_delete(actor=staff.superuser, area=leaf)
    assert not Area.objects.filter(pk=leaf.pk).exists()


def test_scope_decides_who_may_create_where(tree, staff):
    with pytest.raises(PermissionDenied):
        services.area_create(
            actor=staff.other_community_staff, parent=tree.grid, kind=AreaKind.COMPOUND,
            name="x", code="X-1",
        )
    with pytest.raises(PermissionDenied):  # read-only role
        services.area_create(
            actor=staff.compound_secretary, parent=tree.compound, kind=AreaKind.BUILDING,
            name="x", code="X-2",
        )
    with pytest.raises(PermissionDenied):  # only superusers add roots
        services.area_create(
            actor=staff.district_admin, parent=None, kind=AreaKind.DISTRICT, name="x", code="X-3"
        )


def test_a_move_needs_scope_at_both_ends(tree, staff):
    with pytest.raises(PermissionDenied):
        services.area_move(
            actor=staff.street_staff, area=tree.community, new_parent=tree.other_street
        )
    services.area_move(actor=staff.street_staff, area=tree.compound, new_parent=tree.community)
    tree.compound.refresh_from_db()
    assert tree.compound.parent_id == tree.community.pk


def test_a_subtree_query_does_not_match_a_sibling_with_a_longer_id(db):
    # /1/5/ must not match /1/50/: the trailing slash keeps prefixes exact.
    district = make_area(AreaKind.DISTRICT)
    streets = [make_area(AreaKind.STREET, district) for _ in range(12)]
    first = streets[0]
    similar = [s for s in streets if str(s.pk).startswith(str(first.pk)) and s != first]
    for street in streets:
        make_area(AreaKind.COMMUNITY, street)
    within = set(Area.objects.within(first).values_list("pk", flat=True))
    assert first.pk in within and len(within) == 2
    assert not within & {s.pk for s in similar}


def test_ancestors_come_root_first(tree):
    assert list(Area.objects.ancestors_of(tree.building)) == [
        tree.district, tree.street, tree.community, tree.grid, tree.compound,
    ]


def test_enterprise_needs_a_valid_credit_code_and_a_fitting_area(tree, staff):
    good = "91370830MA3C2HWA4Y"
    from governance.validators import uscc_check_char

    good = good[:17] + uscc_check_char(good[:17])
    with pytest.raises(ValidationError) as err:
        services.enterprise_create(
            actor=staff.superuser, name="e", credit_code=good[:17] + ("0" if good[17] != "0" else "1"),
            kind="private_enterprise", area=tree.community,
        )
    assert "credit_code" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.enterprise_create(
            actor=staff.superuser, name="e", credit_code=good, kind="private_enterprise",
            area=tree.compound,
        )
    assert "area" in err.value.message_dict
    enterprise = services.enterprise_create(
        actor=staff.community_staff, name="e", credit_code=good.lower(),
        kind="private_enterprise", area=tree.grid,
    )
    assert enterprise.credit_code == good


def test_an_enterprise_with_a_party_org_cannot_leave_what_its_parent_org_covers(tree, staff):
    from communities.models import Enterprise
    from partyorgs.schemes import WENSHANG

    from .factories import EnterpriseFactory

    zone = make_area(AreaKind.ZONE, tree.district)
    grid_a = make_area(AreaKind.GRID, zone)
    grid_b = make_area(AreaKind.GRID, zone)
    firm, free_firm = EnterpriseFactory(area=grid_a), EnterpriseFactory(area=grid_a)
    committee = make_org(WENSHANG, 1, area=zone)
    comprehensive = make_org(WENSHANG, 2, parent=committee, area=zone)
    branch_a = make_org(WENSHANG, 3, parent=comprehensive, area=grid_a)
    make_org(WENSHANG, 4, parent=branch_a, enterprise=firm)
    with pytest.raises(ValidationError) as err:
        services.enterprise_update(actor=staff.superuser, enterprise=firm, area=grid_b)
    assert "area" in err.value.message_dict
    assert Enterprise.objects.get(pk=firm.pk).area == grid_a
    services.enterprise_update(actor=staff.superuser, enterprise=free_firm, area=grid_b)
    assert Enterprise.objects.get(pk=free_firm.pk).area == grid_b
