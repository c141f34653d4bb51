"""The REST API: filters, validation errors, pagination, query counts, actions."""

import pytest
from rest_framework.authtoken.models import Token

from communities.models import Area, AreaKind
from governance.models import AuditEvent
from partyorgs.models import HierarchyScheme, Post
from partyorgs.schemes import LESHAN

from .factories import EnterpriseFactory, PersonFactory, make_area, make_uscc

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_areas_filter_by_kind_parent_within_and_search(tree, staff, api):
    client = api(staff.district_admin)
    assert ids(client.get("/api/v1/areas/", {"kind": "compound"})) == [
        tree.compound.pk, tree.other_compound.pk,
    ]
    assert set(ids(client.get("/api/v1/areas/", {"parent": tree.street.pk}))) == {
        tree.community.pk, tree.other_community.pk,
    }
    assert ids(client.get("/api/v1/areas/", {"within": tree.community.pk})) == [
        tree.community.pk, tree.grid.pk, tree.compound.pk, tree.building.pk,
    ]
    assert ids(client.get("/api/v1/areas/", {"search": "桂花"})) == [tree.compound.pk]
    assert ids(client.get("/api/v1/areas/", {"search": tree.grid.code.lower()})) == [tree.grid.pk]
    assert ids(client.get("/api/v1/areas/", {"is_old_compound": "true"})) == [tree.compound.pk]


def test_area_create_errors_come_back_as_field_messages(tree, staff, api):
    client = api(staff.district_admin)
    response = client.post(
        "/api/v1/areas/", {"parent": tree.street.pk, "kind": "compound", "name": "x", "code": "K-9"}
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert "社区" in response.json()["parent"][0] or "community" in response.json()["parent"][0].lower()

    response = client.post(
        "/api/v1/areas/", {"parent": tree.grid.pk, "kind": "compound", "name": "x", "code": tree.grid.code}
    )
    assert response.status_code == 400 and "code" in response.json()

    response = client.post(
        "/api/v1/areas/",
        {"parent": tree.grid.pk, "kind": "compound", "name": "x", "code": "K-10", "latitude": "123.5"},
    )
    assert response.status_code == 400 and "latitude" in response.json()
    assert not Area.objects.filter(code__in=["K-9", "K-10"]).exists()


def test_area_create_and_move_through_the_api(tree, staff, api):
    client = api(staff.street_staff)
    response = client.post(
        "/api/v1/areas/",
        {"parent": tree.other_community.pk, "kind": "grid", "name": "柏杨一网格", "code": "G-BY-1"},
    )
    assert response.status_code == 201, response.content
    grid = Area.objects.get(code="G-BY-1")
    assert response.json()["path"] == grid.path == f"{tree.other_community.path}{grid.pk}/"
    response = client.patch(f"/api/v1/areas/{tree.other_compound.pk}/", {"parent": grid.pk})
    assert response.status_code == 200
    assert response.json()["path"] == f"{grid.path}{tree.other_compound.pk}/"
    response = client.patch(f"/api/v1/areas/{tree.community.pk}/", {"parent": tree.grid.pk})
    assert response.status_code == 400 and "parent" in response.json()


def test_area_delete_refuses_a_node_with_children(tree, staff, api):
    client = api(staff.community_staff)
    assert client.delete(f"/api/v1/areas/{tree.compound.pk}/").status_code == 400
    leaf = make_area(AreaKind.BUILDING, tree.compound)
    assert client.delete(f"/api/v1/areas/{leaf.pk}/").status_code == 204
    assert AuditEvent.objects.filter(object_id=leaf.pk, action="deleted").exists()


def test_lists_are_paginated_with_a_stable_order(tree, staff, api):
    for n in range(30):
        make_area(AreaKind.BUILDING, tree.compound, name=f"楼{n}")
    client = api(staff.superuser)
    first = client.get("/api/v1/areas/", {"page_size": 10}).json()
    assert first["count"] == Area.objects.count()
    seen = []
    url, params = "/api/v1/areas/", {"page_size": 10}
    while url:
        page = client.get(url, params).json()
        seen += [row["id"] for row in page["results"]]
        url, params = page["next"], None
    assert len(seen) == len(set(seen)) == Area.objects.count()
    assert client.get("/api/v1/areas/", {"page_size": 10000}).json()["results"].__len__() <= 500


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/areas/", lambda tree, i: make_area(AreaKind.BUILDING, tree.compound)),
        (
            "/api/v1/enterprises/",
            lambda tree, i: EnterpriseFactory(area=tree.community, credit_code=make_uscc(9000 + i)),
        ),
        ("/api/v1/people/", lambda tree, i: PersonFactory(area=tree.compound)),
        ("/api/v1/party-orgs/", None),
        ("/api/v1/party-posts/", None),
    ],
)
def test_query_count_does_not_grow_with_page_size(
    tree, staff, orgs, api, django_assert_max_num_queries, url, factory
):
    from partyorgs import services

    if factory is None and "party-orgs" in url:
        committee = orgs["committee"]

        def factory(tree, i):
            grid = make_area(AreaKind.GRID, tree.community)
            return services.party_org_create(
                actor=staff.superuser, scheme=HierarchyScheme.objects.get(code=LESHAN), level=2,
                name=f"g{i}", parent=committee, covered_area=grid,
            )
    elif factory is None:
        def factory(tree, i):
            return services.post_appoint(
                actor=staff.superuser, organisation=orgs["grid_org"],
                person=PersonFactory(area=tree.compound), role="member",
            )

    for i in range(60):
        factory(tree, i)
    client = api(staff.street_staff)
    client.get(url, {"page_size": 5})  # warm caches such as content types
    with django_assert_max_num_queries(8) as small:
        assert client.get(url, {"page_size": 5}).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 60})
    assert len(response.json()["results"]) >= 60 if "areas" not in url else True


def test_coverage_endpoint_reports_rates(tree, staff, orgs, api):
    response = api(staff.street_staff).get(f"/api/v1/areas/{tree.street.pk}/coverage/")
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == tree.street.pk
    assert body["coverage"]["compounds"] == 2
    assert body["coverage"]["compound_rate"] == 0.5


def test_me_lists_roles_and_scope(tree, staff, api):
    body = api(staff.community_staff).get("/api/v1/me/").json()
    assert body["username"] == "community"
    assert [r["area"] for r in body["roles"]] == [tree.community.pk]
    assert body["roles"][0]["can_edit"] is True
    assert body["read_paths"] == [tree.community.path]
    read_only = api(staff.compound_secretary).get("/api/v1/me/").json()
    assert read_only["write_paths"] == [] and read_only["roles"][0]["can_edit"] is False


def test_hierarchy_schemes_list_their_levels(tree, staff, api):
    body = api(staff.compound_secretary).get("/api/v1/hierarchy-schemes/").json()
    leshan = next(s for s in body if s["code"] == LESHAN)
    assert [lvl["name"] for lvl in leshan["levels"]] == ["社区党委", "网格小区党组织", "楼栋党小组", "党员中心户"]
    assert leshan["levels"][1]["covers"] == "grid"


def test_party_org_api_create_filters_and_errors(tree, staff, orgs, api):
    client = api(staff.community_staff)
    scheme = HierarchyScheme.objects.get(code=LESHAN)
    response = client.post("/api/v1/party-orgs/", {
        "scheme": scheme.pk, "level": 2, "name": "错误", "parent": orgs["committee"].pk,
        "covered_area": tree.compound.pk,
    })
    assert response.status_code == 400 and "covered_area" in response.json()
    grid = make_area(AreaKind.GRID, tree.community)
    response = client.post("/api/v1/party-orgs/", {
        "scheme": scheme.pk, "level": 2, "name": "府街二网格党组织", "parent": orgs["committee"].pk,
        "covered_area": grid.pk,
    })
    assert response.status_code == 201, response.content
    assert response.json()["level_name"] == "网格小区党组织"
    assert set(ids(client.get("/api/v1/party-orgs/", {"level": 2}))) == {
        orgs["grid_org"].pk, response.json()["id"],
    }
    assert ids(client.get("/api/v1/party-orgs/", {"covered_area": tree.building.pk})) == [
        orgs["building_group"].pk
    ]
    assert ids(client.get("/api/v1/party-orgs/", {"within": tree.grid.pk})) == [
        orgs["grid_org"].pk, orgs["building_group"].pk,
    ]
    response = client.patch(f"/api/v1/party-orgs/{orgs['grid_org'].pk}/", {"level": 3})
    assert response.status_code == 400 and "level" in response.json()


def test_posts_are_appointed_and_ended_through_the_api(tree, staff, orgs, api):
    client = api(staff.community_staff)
    response = client.post("/api/v1/people/", {"name": "李四", "area": tree.compound.pk})
    assert response.status_code == 201
    person_id = response.json()["id"]
    response = client.post("/api/v1/party-posts/", {
        "organisation": orgs["grid_org"].pk, "person": person_id, "role": "secretary",
        "lives_in_unit": True, "started_on": "2025-01-01",
    })
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    second = client.post("/api/v1/party-posts/", {
        "organisation": orgs["grid_org"].pk, "person": person_id, "role": "secretary",
    })
    assert second.status_code == 400 and "role" in second.json()
    response = client.post(f"/api/v1/party-posts/{post_id}/end/", {"ended_on": "2024-01-01"})
    assert response.status_code == 400 and "ended_on" in response.json()
    response = client.post(f"/api/v1/party-posts/{post_id}/end/", {"ended_on": "2026-01-01"})
    assert response.status_code == 200 and response.json()["ended_on"] == "2026-01-01"
    assert Post.objects.get(pk=post_id).ended_on is not None
    assert ids(client.get("/api/v1/party-posts/", {"current": "true"})) == []
    denied = api(staff.compound_secretary).post(f"/api/v1/party-posts/{post_id}/end/")
    assert denied.status_code == 403


def test_enterprise_api_validates_the_credit_code(tree, staff, api):
    client = api(staff.community_staff)
    good = make_uscc(4242)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    response = client.post("/api/v1/enterprises/", {
        "name": "汶上某公司", "credit_code": bad, "kind": "private_enterprise", "area": tree.grid.pk,
    })
    assert response.status_code == 400 and "credit_code" in response.json()
    response = client.post("/api/v1/enterprises/", {
        "name": "汶上某公司", "credit_code": good, "kind": "private_enterprise", "area": tree.grid.pk,
    })
    assert response.status_code == 201
    assert ids(client.get("/api/v1/enterprises/", {"has_party_org": "false"})) == [response.json()["id"]]


def test_token_authentication_works(tree, staff):
    from rest_framework.test import APIClient

    token = Token.objects.create(user=staff.street_staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").json()["username"] == "street"


def test_session_authentication_works(tree, staff, client):
    client.force_login(staff.street_staff)
    assert client.get("/api/v1/me/").json()["username"] == "street"


def test_openapi_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/areas/", "/api/v1/areas/{id}/coverage/", "/api/v1/party-orgs/",
                 "/api/v1/hierarchy-schemes/", "/api/v1/enterprises/", "/api/v1/me/"):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html
