"""The access matrix: users at every level of the tree × every API endpoint.

Expectations are written out by hand (not derived from the code under test):
who sees which node, and who may change it. Invisible → 404, visible but not
changeable → 403, changeable → 200.
"""

import pytest

from communities.models import Area, Enterprise
from partyorgs.models import PartyOrganisation

pytestmark = pytest.mark.django_db

ALL = {
    "district", "street", "other_street", "community", "other_community", "grid",
    "compound", "building", "other_compound",
}
UNDER_STREET = {"street", "community", "other_community", "grid", "compound", "building", "other_compound"}
UNDER_COMMUNITY = {"community", "grid", "compound", "building"}

# user → (nodes they see, nodes they may change)
MATRIX = {
    "superuser": (ALL, ALL),
    "district_admin": (ALL, ALL),
    "street_staff": ({"district"} | UNDER_STREET, UNDER_STREET),
    "other_street_staff": ({"district", "other_street"}, {"other_street"}),
    "community_staff": ({"district", "street"} | UNDER_COMMUNITY, UNDER_COMMUNITY),
    "other_community_staff": (
        {"district", "street", "other_community", "other_compound"},
        {"other_community", "other_compound"},
    ),
    "grid_secretary": ({"district", "street", "community", "grid", "compound", "building"}, set()),
    "compound_secretary": (
        {"district", "street", "community", "grid", "compound", "building"}, set()
    ),
}
USERS = sorted(MATRIX)

# party organisation (from the ``orgs`` fixture) → the node it covers
ORG_NODES = {
    "committee": "community",
    "grid_org": "grid",
    "building_group": "building",
    "other_committee": "other_community",
}


def expected_status(user_key, node_key, *, write):
    sees, changes = MATRIX[user_key]
    if node_key not in sees:
        return 404
    if write and node_key not in changes:
        return 403
    return 200


@pytest.mark.parametrize("user_key", USERS)
def test_area_list_shows_exactly_the_visible_nodes(tree, staff, api, user_key):
    response = api(getattr(staff, user_key)).get("/api/v1/areas/", {"page_size": 100})
    assert response.status_code == 200
    names = {row["id"] for row in response.json()["results"]}
    expected = {getattr(tree, key).pk for key in MATRIX[user_key][0]}
    assert names == expected


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("node_key", sorted(ALL))
def test_area_detail_read_and_write(tree, staff, api, user_key, node_key):
    client = api(getattr(staff, user_key))
    node = getattr(tree, node_key)
    url = f"/api/v1/areas/{node.pk}/"
    assert client.get(url).status_code == expected_status(user_key, node_key, write=False)
    response = client.patch(url, {"name": node.name + "·改"})
    assert response.status_code == expected_status(user_key, node_key, write=True), response.content
    stored = Area.objects.get(pk=node.pk).name
    assert stored.endswith("·改") == (response.status_code == 200)


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("node_key", sorted(ALL))
def test_coverage_endpoint_follows_visibility(tree, staff, api, user_key, node_key):
    node = getattr(tree, node_key)
    response = api(getattr(staff, user_key)).get(f"/api/v1/areas/{node.pk}/coverage/")
    assert response.status_code == expected_status(user_key, node_key, write=False)


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("org_key", sorted(ORG_NODES))
def test_party_org_read_and_write(tree, staff, orgs, api, user_key, org_key):
    client = api(getattr(staff, user_key))
    org = orgs[org_key]
    url = f"/api/v1/party-orgs/{org.pk}/"
    node_key = ORG_NODES[org_key]
    assert client.get(url).status_code == expected_status(user_key, node_key, write=False)
    response = client.patch(url, {"name": "新名称"})
    assert response.status_code == expected_status(user_key, node_key, write=True)
    assert (PartyOrganisation.objects.get(pk=org.pk).name == "新名称") == (response.status_code == 200)


@pytest.mark.parametrize("user_key", USERS)
def test_party_org_list_shows_exactly_the_visible_orgs(tree, staff, orgs, api, user_key):
    response = api(getattr(staff, user_key)).get("/api/v1/party-orgs/")
    ids = {row["id"] for row in response.json()["results"]}
    sees = MATRIX[user_key][0]
    assert ids == {orgs[k].pk for k, node in ORG_NODES.items() if node in sees}


@pytest.mark.parametrize("user_key", USERS)
def test_enterprise_read_and_write(tree, staff, enterprise, api, user_key):
    client = api(getattr(staff, user_key))
    url = f"/api/v1/enterprises/{enterprise.pk}/"
    assert client.get(url).status_code == expected_status(user_key, "community", write=False)
    response = client.patch(url, {"employees": 12})
    assert response.status_code == expected_status(user_key, "community", write=True)
    assert (Enterprise.objects.get(pk=enterprise.pk).employees == 12) == (response.status_code == 200)


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("parent_key", ["street", "community", "other_community", "compound"])
def test_creating_under_a_node_needs_change_rights_there(tree, staff, api, user_key, parent_key):
    kinds = {"street": "community", "community": "grid", "other_community": "grid", "compound": "building"}
    parent = getattr(tree, parent_key)
    response = api(getattr(staff, user_key)).post(
        "/api/v1/areas/",
        {"parent": parent.pk, "kind": kinds[parent_key], "name": "新节点", "code": f"NEW-{user_key}"},
    )
    expected = expected_status(user_key, parent_key, write=True)
    if expected == 404:
        # The parent does not exist for this user: a field error, like any unknown id.
        assert response.status_code == 400
        assert "parent" in response.json()
    else:
        assert response.status_code == {200: 201, 403: 403}[expected], response.content
    assert Area.objects.filter(code=f"NEW-{user_key}").exists() == (response.status_code == 201)


@pytest.mark.parametrize("user_key", USERS)
def test_within_filter_only_accepts_visible_areas(tree, staff, api, user_key):
    response = api(getattr(staff, user_key)).get("/api/v1/areas/", {"within": tree.other_street.pk})
    if "other_street" in MATRIX[user_key][0]:
        assert response.status_code == 200
    else:
        assert response.status_code == 400


def test_a_user_without_a_role_gets_nothing(tree, staff, api):
    client = api(staff.no_role)
    assert client.get("/api/v1/areas/").status_code == 403
    assert client.get(f"/api/v1/areas/{tree.district.pk}/").status_code == 403


def test_anonymous_callers_must_log_in(tree, api):
    assert api().get("/api/v1/areas/").status_code in (401, 403)
    assert api().get("/api/v1/me/").status_code in (401, 403)


def test_roles_in_two_places_add_up(tree, staff, api):
    from governance.models import StaffRole

    from .factories import give_role

    give_role(staff.other_street_staff, tree.other_community, StaffRole.Role.COMMUNITY_STAFF)
    response = api(staff.other_street_staff).get("/api/v1/areas/", {"page_size": 100})
    ids = {row["id"] for row in response.json()["results"]}
    assert tree.other_compound.pk in ids and tree.street.pk in ids
    assert tree.compound.pk not in ids


# --- the same matrix over the HTML pages --------------------------------------------


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("node_key", sorted(ALL))
def test_area_pages_follow_the_same_rule(tree, staff, client, user_key, node_key):
    from django.urls import reverse

    client.force_login(getattr(staff, user_key))
    node = getattr(tree, node_key)
    detail = client.get(reverse("area-detail", args=[node.pk]))
    assert detail.status_code == expected_status(user_key, node_key, write=False)
    edit = client.post(reverse("area-edit", args=[node.pk]), {"name": "改名", "code": node.code})
    expected = expected_status(user_key, node_key, write=True)
    if expected == 200:
        assert edit.status_code in (200, 302)  # a redirect, or the form with its errors
    else:
        assert edit.status_code == expected
        assert Area.objects.get(pk=node.pk).name == node.name


@pytest.mark.parametrize("user_key", USERS)
@pytest.mark.parametrize("org_key", sorted(ORG_NODES))
def test_party_org_pages_follow_the_same_rule(tree, staff, orgs, client, user_key, org_key):
    from django.urls import reverse

    client.force_login(getattr(staff, user_key))
    org = orgs[org_key]
    node_key = ORG_NODES[org_key]
    response = client.get(reverse("party-org-detail", args=[org.pk]))
    assert response.status_code == expected_status(user_key, node_key, write=False)
    response = client.get(reverse("party-org-edit", args=[org.pk]))
    assert response.status_code == expected_status(user_key, node_key, write=True)


@pytest.mark.parametrize("user_key", USERS)
def test_enterprise_pages_follow_the_same_rule(tree, staff, enterprise, client, user_key):
    from django.urls import reverse

    client.force_login(getattr(staff, user_key))
    assert client.get(reverse("enterprise-detail", args=[enterprise.pk])).status_code == (
        expected_status(user_key, "community", write=False)
    )
    assert client.get(reverse("enterprise-edit", args=[enterprise.pk])).status_code == (
        expected_status(user_key, "community", write=True)
    )
