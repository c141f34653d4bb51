"""Party-organisation tree rules, posts and coverage."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from communities import services as area_services
from communities.models import AreaKind
from governance.models import AuditEvent
from partyorgs import services
from partyorgs.models import HierarchyScheme, PartyOrganisation, Post, PostRole
from partyorgs.schemes import FENYI, LESHAN, WENSHANG
from partyorgs.selectors import (
    area_coverage,
    concurrent_secretary_posts,
    coverage_for,
    uncovered_compounds,
)

from .factories import EnterpriseFactory, PersonFactory, make_area, make_org

pytestmark = pytest.mark.django_db


def scheme(code):
    return HierarchyScheme.objects.get(code=code)


def test_the_three_schemes_of_the_seed_are_loaded_with_four_levels(db):
    names = {
        s.code: [level.name for level in s.levels.order_by("number")]
        for s in HierarchyScheme.objects.all()
    }
    assert names[LESHAN] == ["社区党委", "网格小区党组织", "楼栋党小组", "党员中心户"]
    assert names[FENYI] == ["街道党工委", "社区党组织", "小区（网格）党支部", "党员中心户"]
    assert names[WENSHANG] == ["开发区党工委", "综合党委", "网格党总支", "两新组织党组织"]


def test_it_creates_an_org_under_a_parent_one_level_up(tree, staff, orgs):
    org = services.party_org_create(
        actor=staff.community_staff, scheme=scheme(LESHAN), level=3, name="2栋党小组",
        parent=orgs["grid_org"], covered_area=make_area(AreaKind.BUILDING, tree.compound),
    )
    assert org.path.startswith(orgs["grid_org"].path)
    assert org.area == org.covered_area
    assert org.level_name == "楼栋党小组"
    assert AuditEvent.objects.filter(object_id=org.pk, action="created").exists()


def test_it_refuses_a_child_at_the_wrong_level(tree, staff, orgs):
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(LESHAN), level=3, name="x",
            parent=orgs["committee"], covered_area=tree.building,
        )
    assert "parent" in err.value.message_dict
    assert "网格小区党组织" in str(err.value)


def test_it_refuses_a_parent_from_another_scheme(tree, staff, orgs):
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(FENYI), level=3, name="x",
            parent=orgs["committee"], covered_area=tree.compound,
        )
    assert "parent" in err.value.message_dict


def test_it_refuses_a_level_one_with_a_parent_and_a_lower_level_without(tree, staff, orgs):
    with pytest.raises(ValidationError):
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(LESHAN), level=1, name="x",
            parent=orgs["committee"], covered_area=tree.other_community,
        )
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(LESHAN), level=2, name="x", covered_area=tree.grid,
        )
    assert "parent" in err.value.message_dict


def test_it_refuses_a_covered_unit_of_the_wrong_kind(tree, staff, orgs):
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(LESHAN), level=2, name="x",
            parent=orgs["committee"], covered_area=tree.compound,
        )
    assert "covered_area" in err.value.message_dict
    assert "网格" in str(err.value)


def test_it_refuses_a_unit_outside_what_the_parent_covers(tree, staff, orgs):
    stray_grid = make_area(AreaKind.GRID, tree.other_community)
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(LESHAN), level=2, name="x",
            parent=orgs["committee"], covered_area=stray_grid,
        )
    assert "parent" in err.value.message_dict
    assert PartyOrganisation.objects.filter(covered_area=stray_grid).count() == 0


def test_an_enterprise_level_needs_an_enterprise_and_only_one_org_each(tree, staff):
    zone = make_area(AreaKind.ZONE, tree.district)
    grid = make_area(AreaKind.GRID, zone)
    firm = EnterpriseFactory(area=grid)
    committee = make_org(WENSHANG, 1, area=zone)
    comprehensive = make_org(WENSHANG, 2, parent=committee, area=zone)
    branch = make_org(WENSHANG, 3, parent=comprehensive, area=grid)
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(WENSHANG), level=4, name="x", parent=branch,
            covered_area=grid,
        )
    assert "covered_enterprise" in err.value.message_dict
    org = services.party_org_create(
        actor=staff.superuser, scheme=scheme(WENSHANG), level=4, name="某企业党支部",
        parent=branch, covered_enterprise=firm,
    )
    assert org.area == grid
    with pytest.raises(ValidationError) as err:
        services.party_org_create(
            actor=staff.superuser, scheme=scheme(WENSHANG), level=4, name="again",
            parent=branch, covered_enterprise=firm,
        )
    assert "covered_enterprise" in err.value.message_dict


def test_re_attaching_an_org_moves_its_subtree_and_refuses_cycles(tree, staff, orgs):
    new_committee = make_org(LESHAN, 1, area=tree.community, name="府街第二党委")
    services.party_org_update(actor=staff.community_staff, org=orgs["grid_org"], parent=new_committee)
    orgs["building_group"].refresh_from_db()
    assert orgs["building_group"].path.startswith(new_committee.path)
    with pytest.raises(ValidationError):
        services.party_org_update(
            actor=staff.superuser, org=orgs["grid_org"], parent=orgs["other_committee"]
        )


def test_scope_decides_who_may_add_and_change_orgs(tree, staff, orgs):
    with pytest.raises(PermissionDenied):
        services.party_org_create(
            actor=staff.other_community_staff, scheme=scheme(LESHAN), level=3, name="x",
            parent=orgs["grid_org"], covered_area=tree.building,
        )
    with pytest.raises(PermissionDenied):
        services.party_org_update(actor=staff.grid_secretary, org=orgs["grid_org"], name="改名")


def test_a_second_sitting_secretary_is_refused_until_the_first_post_ends(tree, staff, orgs):
    org = orgs["grid_org"]
    first, second = PersonFactory(area=tree.compound), PersonFactory(area=tree.compound)
    post = services.post_appoint(
        actor=staff.community_staff, organisation=org, person=first, role=PostRole.SECRETARY,
        lives_in_unit=True, started_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as err:
        services.post_appoint(
            actor=staff.community_staff, organisation=org, person=second, role=PostRole.SECRETARY
        )
    assert first.name in str(err.value)
    services.post_end(actor=staff.community_staff, post=post, ended_on=datetime.date(2025, 6, 30))
    services.post_appoint(
        actor=staff.community_staff, organisation=org, person=second, role=PostRole.SECRETARY
    )
    assert Post.objects.current().secretaries().get(organisation=org).person == second
    assert list(
        AuditEvent.objects.filter(object_id=post.pk).values_list("action", flat=True)
    ) == ["appointed", "ended"]


def test_the_database_also_refuses_two_sitting_secretaries(tree, orgs):
    person = PersonFactory(area=tree.compound)
    Post.objects.create(
        organisation=orgs["grid_org"], person=person, role=PostRole.SECRETARY,
        started_on=datetime.date(2024, 1, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(
            organisation=orgs["grid_org"], person=PersonFactory(area=tree.compound),
            role=PostRole.SECRETARY, started_on=datetime.date(2024, 1, 1),
        )


def test_ending_a_post_twice_or_before_it_started_is_refused(tree, staff, orgs):
    post = services.post_appoint(
        actor=staff.superuser, organisation=orgs["grid_org"], person=PersonFactory(area=tree.grid),
        role=PostRole.MEMBER, started_on=datetime.date(2024, 3, 1),
    )
    with pytest.raises(ValidationError) as err:
        services.post_end(actor=staff.superuser, post=post, ended_on=datetime.date(2024, 2, 1))
    assert "ended_on" in err.value.message_dict
    services.post_end(actor=staff.superuser, post=post, ended_on=datetime.date(2024, 4, 1))
    with pytest.raises(ValidationError):
        services.post_end(actor=staff.superuser, post=post)
    assert AuditEvent.objects.filter(object_id=post.pk, action="ended").count() == 1


def test_a_read_only_user_cannot_appoint(tree, staff, orgs):
    with pytest.raises(PermissionDenied):
        services.post_appoint(
            actor=staff.compound_secretary, organisation=orgs["grid_org"],
            person=PersonFactory(area=tree.compound), role=PostRole.MEMBER,
        )


def test_coverage_counts_compounds_covered_by_their_own_or_their_grid_org(tree, orgs):
    # 桂花小区 sits in 府街一网格, which has a grid-compound org; 柏杨小区 has none.
    assert area_coverage(tree.community).compounds == 1
    assert area_coverage(tree.community).compound_rate == 1.0
    street = area_coverage(tree.street)
    assert (street.compounds, street.compounds_covered, street.compound_rate) == (2, 1, 0.5)
    assert [c.pk for c in uncovered_compounds(tree.street)] == [tree.other_compound.pk]
    make_org(FENYI, 1, area=tree.street)  # a street-level org does not cover compounds
    assert area_coverage(tree.street).compounds_covered == 1


def test_a_community_org_does_not_count_as_covering_its_compounds(tree, orgs):
    # 柏杨社区 has a community committee but its compound has no org of its own.
    assert area_coverage(tree.other_community).compound_rate == 0.0


def test_coverage_counts_enterprises_and_is_none_without_any(tree):
    assert area_coverage(tree.street).enterprise_rate is None
    zone = make_area(AreaKind.ZONE, tree.district)
    grid = make_area(AreaKind.GRID, zone)
    firms = [EnterpriseFactory(area=grid) for _ in range(4)]
    committee = make_org(WENSHANG, 1, area=zone)
    comprehensive = make_org(WENSHANG, 2, parent=committee, area=zone)
    branch = make_org(WENSHANG, 3, parent=comprehensive, area=grid)
    for firm in firms[:3]:
        make_org(WENSHANG, 4, parent=branch, enterprise=firm)
    coverage = area_coverage(zone)
    assert (coverage.enterprises, coverage.enterprises_covered, coverage.enterprise_rate) == (4, 3, 0.75)


def test_secretaries_are_counted_as_residents_cadres_and_concurrent(tree, staff, orgs):
    cadre = PersonFactory(area=tree.community)
    resident = PersonFactory(area=tree.compound)
    other_grid = make_area(AreaKind.GRID, tree.community)
    other_grid_org = make_org(LESHAN, 2, parent=orgs["committee"], area=other_grid)
    services.post_appoint(
        actor=staff.superuser, organisation=orgs["grid_org"], person=cadre,
        role=PostRole.SECRETARY, is_community_cadre=True,
    )
    services.post_appoint(
        actor=staff.superuser, organisation=other_grid_org, person=cadre,
        role=PostRole.SECRETARY, is_community_cadre=True,
    )
    services.post_appoint(
        actor=staff.superuser, organisation=orgs["building_group"], person=resident,
        role=PostRole.SECRETARY, lives_in_unit=True,
    )
    coverage = area_coverage(tree.community)
    assert coverage.secretaries == 3
    assert coverage.resident_secretaries == 1
    assert coverage.cadre_secretaries == 2
    assert coverage.concurrent_secretaries == 1  # one person holding two posts
    assert {p.organisation_id for p in concurrent_secretary_posts(tree.community)} == {
        orgs["grid_org"].pk, other_grid_org.pk,
    }


def test_coverage_for_many_nodes_takes_three_queries(tree, orgs, django_assert_num_queries):
    nodes = [tree.street, tree.community, tree.other_community, tree.grid]
    with django_assert_num_queries(3):
        result = coverage_for(nodes)
    assert result[tree.grid.pk].compound_rate == 1.0
    assert result[tree.street.pk].compounds == 2


def test_moving_a_compound_keeps_coverage_consistent(tree, staff):
    grid_b = make_area(AreaKind.GRID, tree.community)
    committee = make_org(LESHAN, 1, area=tree.community)
    make_org(LESHAN, 2, parent=committee, area=grid_b)
    assert area_coverage(tree.community).compound_rate == 0.0
    area_services.area_move(actor=staff.superuser, area=tree.compound, new_parent=grid_b)
    assert area_coverage(tree.community).compound_rate == 1.0
