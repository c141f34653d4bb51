"""The server-rendered staff pages: scoping (404 outside, 403 read-only), forms that
call the services (errors back on the form, nothing saved), audit events, bounded
queries on lists, and the language of the pages."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from communities.models import Area, AreaKind, Enterprise, Person
from governance.models import AuditEvent, StaffRole
from partyorgs.models import PartyOrganisation, Post, PostRole, SchemeLevel
from partyorgs.schemes import LESHAN
from partyorgs.services import post_appoint

from .factories import EnterpriseFactory, PersonFactory, give_role, make_area, make_org, make_uscc

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def html(response) -> str:
    return response.content.decode()


def level(number, scheme=LESHAN) -> SchemeLevel:
    return SchemeLevel.objects.get(scheme__code=scheme, number=number)


def appoint(org, name="王芳", role=PostRole.SECRETARY, **kwargs):
    """Appoint a new person as the superuser (needs the ``staff`` fixture)."""
    root = get_user_model().objects.get(username="root")
    person = PersonFactory(name=name, area=org.area)
    return post_appoint(actor=root, organisation=org, person=person, role=role, **kwargs)


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


# --- Sign in, no role, language ----------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client, tree):
    response = client.get(reverse("area-detail", args=[tree.community.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_has_the_language_switcher_and_signs_in(client, staff):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert f'action="{reverse("set_language")}"' in html(response)
    response = client.post(reverse("login"), {"username": "community", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_logout_is_a_post_form(login, staff):
    client = login(staff.community_staff)
    page = html(client.get(reverse("home")))
    assert f'action="{reverse("logout")}"' in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("name", ["home", "area-list", "enterprise-list", "party-org-list"])
def test_a_user_without_a_role_sees_the_no_role_page(login, staff, name):
    response = login(staff.no_role).get(reverse(name), **EN)
    assert response.status_code == 403
    assert "holds no staff role" in html(response)
    assert f'action="{reverse("logout")}"' in html(response)


def test_the_default_language_is_chinese(client, login, staff):
    page = html(client.get(reverse("login")))
    assert 'lang="zh-hans"' in page
    assert "社区治理档案" in page and "登录" in page
    page = html(login(staff.community_staff).get(reverse("home")))
    assert "首页" in page and "党组织" in page and "两新组织" in page


def test_english_by_accept_language_and_by_the_setlang_cookie(client, staff):
    page = html(client.get(reverse("login"), **EN))
    assert 'lang="en"' in page and "Community governance records" in page

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.force_login(staff.community_staff)
    page = html(client.get(reverse("home")))
    assert "Party organisations" in page and "Sign out" in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "退出" in html(client.get(reverse("home")))


# --- Pages render, with real data ----------------------------------------------------


def test_home_shows_roles_and_coverage(login, tree, staff, orgs, enterprise):
    response = login(staff.community_staff).get(reverse("home"), **EN)
    page = html(response)
    assert response.status_code == 200
    assert "Community staff" in page and tree.community.name in page
    assert reverse("area-detail", args=[tree.community.pk]) in page
    # The one compound is covered by the grid's organisation; the enterprise is not.
    card = response.context["cards"][0]
    assert card["coverage"].compounds == 1 and card["coverage"].compounds_covered == 1
    assert "100%" in page and "0/1" in page


def test_home_of_a_superuser_without_roles_starts_at_the_roots(login, tree, staff):
    response = login(staff.superuser).get(reverse("home"))
    assert [c["area"] for c in response.context["cards"]] == [tree.district]


def pages(tree, orgs, enterprise, post):
    """Every staff page, with a name it must show when the community's staff open it."""
    return [
        (reverse("home"), tree.community.name),
        (reverse("area-list"), tree.grid.name),
        (reverse("area-detail", args=[tree.community.pk]), tree.grid.name),
        (reverse("area-create") + f"?parent={tree.community.pk}", tree.community.name),
        (reverse("area-edit", args=[tree.grid.pk]), tree.grid.code),
        (reverse("enterprise-list"), enterprise.name),
        (reverse("enterprise-detail", args=[enterprise.pk]), enterprise.credit_code),
        (reverse("enterprise-create") + f"?area={tree.community.pk}", tree.community.name),
        (reverse("enterprise-edit", args=[enterprise.pk]), enterprise.credit_code),
        (reverse("party-org-list"), orgs["grid_org"].name),
        (reverse("party-org-detail", args=[orgs["grid_org"].pk]), post.person.name),
        (reverse("party-org-create") + f"?parent={orgs['grid_org'].pk}", orgs["grid_org"].name),
        (reverse("party-org-edit", args=[orgs["grid_org"].pk]), orgs["grid_org"].name),
        (reverse("post-appoint", args=[orgs["grid_org"].pk]), orgs["grid_org"].name),
        (reverse("post-end", args=[post.pk]), post.person.name),
    ]


@pytest.fixture
def post(tree, staff, orgs):
    return appoint(orgs["grid_org"], name="李秀英")


def test_every_page_renders_for_a_user_in_scope(login, tree, staff, orgs, enterprise, post):
    client = login(staff.community_staff)
    for url, expected in pages(tree, orgs, enterprise, post):
        response = client.get(url)
        assert response.status_code == 200, url
        assert escape(expected) in html(response), url


def test_every_page_renders_in_english_too(login, tree, staff, orgs, enterprise, post):
    client = login(staff.community_staff)
    for url, _expected in pages(tree, orgs, enterprise, post):
        response = client.get(url, **EN)
        assert response.status_code == 200, url
        assert "Sign out" in html(response), url


def test_area_detail_shows_the_branch(login, tree, staff, orgs, enterprise):
    concurrent = appoint(orgs["grid_org"], name="张伟")
    post_appoint(
        actor=staff.superuser, organisation=orgs["other_committee"], person=concurrent.person,
        role=PostRole.SECRETARY, is_community_cadre=True,
    )
    response = login(staff.street_staff).get(reverse("area-detail", args=[tree.street.pk]), **EN)
    page = html(response)
    assert response.status_code == 200
    # breadcrumb: the district above
    assert [a.pk for a in response.context["ancestors"]] == [tree.district.pk]
    # children with their coverage
    rows = {row["area"].pk: row["coverage"] for row in response.context["children"]}
    assert set(rows) == {tree.community.pk, tree.other_community.pk}
    assert rows[tree.community.pk].compounds_covered == 1
    assert rows[tree.other_community.pk].compounds_covered == 0
    # uncovered compounds and the secretary who holds two posts
    assert [c.pk for c in response.context["uncovered"]] == [tree.other_compound.pk]
    assert tree.other_compound.name in page
    assert {p.person.name for p in response.context["concurrent"]} == {"张伟"}
    # action buttons for a user who may change the street
    assert reverse("area-edit", args=[tree.street.pk]) in page
    assert f"{reverse('area-create')}?parent={tree.street.pk}" in page


def test_area_detail_lists_covering_orgs_and_enterprises(login, tree, staff, orgs, enterprise):
    response = login(staff.community_staff).get(reverse("area-detail", args=[tree.community.pk]))
    page = html(response)
    assert orgs["committee"].name in page
    assert enterprise.name in page and enterprise.credit_code in page


def test_area_detail_queries_do_not_grow_with_the_children(login, tree, staff, orgs):
    client = login(staff.community_staff)
    url = reverse("area-detail", args=[tree.grid.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for n in range(2):
        make_area(AreaKind.COMPOUND, tree.grid, name=f"小区{n}")
    few = count()
    for n in range(2, 14):
        make_area(AreaKind.COMPOUND, tree.grid, name=f"小区{n}")
    assert count() == few


def test_read_only_users_see_no_edit_buttons(login, tree, staff, orgs):
    page = html(login(staff.grid_secretary).get(reverse("area-detail", args=[tree.grid.pk])))
    assert reverse("area-edit", args=[tree.grid.pk]) not in page
    page = html(login(staff.community_staff).get(reverse("area-detail", args=[tree.street.pk])))
    assert reverse("area-edit", args=[tree.street.pk]) not in page


def test_context_nodes_show_no_figures_for_the_whole_subtree(login, tree, staff, orgs):
    """A community's staff see their street as context, not the street's totals."""
    response = login(staff.community_staff).get(reverse("area-detail", args=[tree.street.pk]))
    assert response.context["coverage"] is None
    assert [row["area"].pk for row in response.context["children"]] == [tree.community.pk]
    assert response.context["uncovered"] == []


def test_party_org_detail_shows_levels_posts_children_and_history(login, tree, staff, orgs, post):
    ended = appoint(orgs["grid_org"], name="赵强", role=PostRole.MEMBER, started_on=datetime.date(2020, 1, 1))
    login(staff.community_staff).post(reverse("post-end", args=[ended.pk]), {"ended_on": "2024-06-30"})
    response = login(staff.community_staff).get(
        reverse("party-org-detail", args=[orgs["grid_org"].pk]), **EN
    )
    page = html(response)
    assert "网格小区党组织" in page  # the level's name from the scheme
    assert orgs["committee"].name in page  # parent
    assert orgs["building_group"].name in page  # child
    assert tree.grid.name in page  # covered unit
    assert [p.pk for p in response.context["current_posts"]] == [post.pk]
    assert [p.pk for p in response.context["past_posts"]] == [ended.pk]
    assert "2024-06-30" in page
    actions = [e.action for e in response.context["timeline"]]
    assert "appointed" in actions and "ended" in actions


def test_user_data_is_escaped(login, tree, staff):
    make_area(AreaKind.COMPOUND, tree.grid, name="<script>alert(1)</script>")
    page = html(login(staff.community_staff).get(reverse("area-detail", args=[tree.grid.pk])))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Scope: 404 outside, 403 read-only -----------------------------------------------


def test_pages_of_another_branch_are_404(login, tree, staff, orgs, enterprise, post):
    client = login(staff.other_community_staff)
    for url in [
        reverse("area-detail", args=[tree.community.pk]),
        reverse("area-detail", args=[tree.compound.pk]),
        reverse("area-edit", args=[tree.grid.pk]),
        reverse("enterprise-detail", args=[enterprise.pk]),
        reverse("enterprise-edit", args=[enterprise.pk]),
        reverse("party-org-detail", args=[orgs["grid_org"].pk]),
        reverse("party-org-edit", args=[orgs["committee"].pk]),
        reverse("post-appoint", args=[orgs["grid_org"].pk]),
        reverse("post-end", args=[post.pk]),
    ]:
        response = client.get(url, **EN)
        assert response.status_code == 404, url
        assert "outside the areas you may see" in html(response)
        assert client.post(url, {}).status_code == 404, url


def test_create_forms_with_an_invisible_anchor_are_404(login, tree, staff, orgs):
    client = login(staff.other_community_staff)
    for url in [
        f"{reverse('area-create')}?parent={tree.grid.pk}",
        f"{reverse('enterprise-create')}?area={tree.community.pk}",
        f"{reverse('party-org-create')}?parent={orgs['grid_org'].pk}",
        f"{reverse('party-org-create')}?area={tree.grid.pk}",
        f"{reverse('area-create')}?parent=nonsense",
    ]:
        assert client.get(url).status_code == 404, url


def test_posting_to_another_branch_is_404_and_changes_nothing(login, tree, staff):
    response = login(staff.other_community_staff).post(
        reverse("area-edit", args=[tree.grid.pk]), {"kind": "grid", "name": "x", "code": "X-1"}
    )
    assert response.status_code == 404
    tree.grid.refresh_from_db()
    assert tree.grid.name == "府街一网格"


@pytest.mark.parametrize(
    ("user", "node"),
    [("grid_secretary", "grid"), ("compound_secretary", "compound"), ("community_staff", "street")],
)
def test_read_only_users_get_403_on_edit_and_nothing_changes(login, tree, staff, user, node):
    area = getattr(tree, node)
    client = login(getattr(staff, user))
    assert client.get(reverse("area-detail", args=[area.pk])).status_code == 200
    assert client.get(reverse("area-edit", args=[area.pk])).status_code == 403
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("area-edit", args=[area.pk]),
        {"parent": area.parent_id, "kind": area.kind, "name": "改名", "code": area.code},
        **EN,
    )
    assert response.status_code == 403
    assert "You may not" in html(response)
    area.refresh_from_db()
    assert area.name != "改名"
    assert AuditEvent.objects.count() == events


def test_read_only_users_get_403_on_posts(login, tree, staff, orgs, post):
    client = login(staff.grid_secretary)
    assert client.post(reverse("post-end", args=[post.pk]), {}).status_code == 403
    post.refresh_from_db()
    assert post.ended_on is None
    response = client.post(
        reverse("post-appoint", args=[orgs["grid_org"].pk]),
        {"new_person_name": "新人", "role": PostRole.MEMBER},
    )
    assert response.status_code == 403
    assert not Person.objects.filter(name="新人").exists()


def test_read_only_users_get_403_on_create_forms(login, tree, staff, orgs):
    client = login(staff.compound_secretary)
    assert client.get(f"{reverse('area-create')}?parent={tree.compound.pk}").status_code == 403
    response = client.post(
        f"{reverse('area-create')}?parent={tree.compound.pk}",
        {"parent": tree.compound.pk, "kind": "building", "name": "2栋", "code": "B-2"},
    )
    assert response.status_code == 403
    assert not Area.objects.filter(code="B-2").exists()


# --- Bad input: the service's message on the form, nothing stored ---------------------


def test_a_compound_under_a_street_is_refused_with_the_services_message(login, tree, staff):
    events = AuditEvent.objects.count()
    response = login(staff.street_staff).post(
        reverse("area-create") + f"?parent={tree.street.pk}",
        {"parent": tree.street.pk, "kind": "compound", "name": "新小区", "code": "K-NEW"},
        **EN,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "parent" in errors and "cannot be placed under" in errors["parent"][0]
    page = html(response)
    assert escape(errors["parent"][0]) in page
    assert 'value="新小区"' in page and 'value="K-NEW"' in page  # the input is kept
    assert not Area.objects.filter(code="K-NEW").exists()
    assert AuditEvent.objects.count() == events


def test_the_error_message_is_chinese_by_default(login, tree, staff):
    response = login(staff.street_staff).post(
        reverse("area-create") + f"?parent={tree.street.pk}",
        {"parent": tree.street.pk, "kind": "compound", "name": "新小区", "code": "K-NEW"},
    )
    message = response.context["form"].errors["parent"][0]
    assert "小区" in message and "街道" in message and "cannot" not in message


def test_a_duplicate_code_is_reported_on_the_field(login, tree, staff):
    response = login(staff.community_staff).post(
        reverse("area-create"),
        {"parent": tree.grid.pk, "kind": "compound", "name": "重复", "code": tree.compound.code},
    )
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert not Area.objects.filter(name="重复").exists()


def test_an_invalid_credit_code_is_refused(login, tree, staff):
    response = login(staff.community_staff).post(
        reverse("enterprise-create"),
        {"name": "坏代码公司", "credit_code": "91370830000000000X", "kind": "private_enterprise",
         "area": tree.community.pk},
        **EN,
    )
    assert response.status_code == 200
    assert "check character" in response.context["form"].errors["credit_code"][0]
    assert 'value="坏代码公司"' in html(response)
    assert not Enterprise.objects.filter(name="坏代码公司").exists()


def test_a_level_2_org_without_parent_is_refused(login, tree, staff):
    response = login(staff.community_staff).post(
        reverse("party-org-create"),
        {"scheme_level": level(2).pk, "name": "无上级党组织", "covered_area": tree.grid.pk},
        **EN,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "parent organisation one level up" in errors["parent"][0]
    assert escape(errors["parent"][0]) in html(response)
    assert not PartyOrganisation.objects.filter(name="无上级党组织").exists()


def test_moving_an_area_into_its_own_subtree_is_refused(login, tree, staff):
    response = login(staff.street_staff).post(
        reverse("area-edit", args=[tree.community.pk]),
        {"parent": tree.grid.pk, "kind": "community", "name": tree.community.name,
         "code": tree.community.code},
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    tree.community.refresh_from_db()
    assert tree.community.parent_id == tree.street.pk


def test_move_and_update_are_one_transaction(login, tree, staff):
    """A valid move with an invalid field change saves neither."""
    old_path = tree.compound.path
    response = login(staff.street_staff).post(
        reverse("area-edit", args=[tree.compound.pk]),
        {"parent": tree.other_community.pk, "kind": "compound", "name": tree.compound.name,
         "code": tree.other_compound.code, "is_old_compound": "on"},
    )
    assert response.status_code == 200 and "code" in response.context["form"].errors
    tree.compound.refresh_from_db()
    assert tree.compound.path == old_path
    assert not AuditEvent.objects.filter(object_id=tree.compound.pk, action="moved").exists()


def test_a_second_secretary_is_refused_and_the_new_person_is_not_kept(login, tree, staff, orgs, post):
    response = login(staff.community_staff).post(
        reverse("post-appoint", args=[orgs["grid_org"].pk]),
        {"new_person_name": "第二书记", "new_person_is_party_member": "on", "role": PostRole.SECRETARY},
        **EN,
    )
    assert response.status_code == 200
    assert "sitting secretary" in response.context["form"].errors["role"][0]
    assert not Person.objects.filter(name="第二书记").exists()


def test_appointing_nobody_is_refused(login, tree, staff, orgs):
    response = login(staff.community_staff).post(
        reverse("post-appoint", args=[orgs["grid_org"].pk]), {"role": PostRole.MEMBER}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Post.objects.exists()


def test_a_post_cannot_end_before_it_started(login, tree, staff, orgs, post):
    response = login(staff.community_staff).post(
        reverse("post-end", args=[post.pk]), {"ended_on": "2000-01-01"}
    )
    assert response.status_code == 200 and "ended_on" in response.context["form"].errors
    post.refresh_from_db()
    assert post.ended_on is None


def test_choices_only_offer_visible_records(login, tree, staff, orgs):
    response = login(staff.other_community_staff).get(reverse("party-org-create"))
    form = response.context["form"]
    assert tree.grid not in form.fields["covered_area"].queryset
    assert orgs["grid_org"] not in form.fields["parent"].queryset
    response = login(staff.other_community_staff).post(
        reverse("area-create"), {"parent": tree.grid.pk, "kind": "compound", "name": "x", "code": "X-9"}
    )
    assert response.status_code == 200 and "parent" in response.context["form"].errors
    assert not Area.objects.filter(code="X-9").exists()


# --- Writes go through and leave an audit trail -----------------------------------------


def test_create_an_area(login, tree, staff):
    response = login(staff.community_staff).post(
        reverse("area-create") + f"?parent={tree.grid.pk}",
        {"parent": tree.grid.pk, "kind": "compound", "name": "新华小区", "code": "K-XH",
         "households": "120", "is_old_compound": "on", "build_year": "1995"},
    )
    area = Area.objects.get(code="K-XH")
    assert response.status_code == 302 and response.url == reverse("area-detail", args=[area.pk])
    assert area.path == f"{tree.grid.path}{area.pk}/" and area.is_old_compound and area.households == 120
    assert AuditEvent.objects.filter(object_id=area.pk, action="created", actor=staff.community_staff).exists()
    page = html(login(staff.community_staff).get(response.url))
    assert "新华小区" in page


def test_edit_and_move_an_area(login, tree, staff):
    client = login(staff.street_staff)
    response = client.post(
        reverse("area-edit", args=[tree.compound.pk]),
        {"parent": tree.other_community.pk, "kind": "compound", "name": "桂花苑",
         "code": tree.compound.code, "is_old_compound": "on", "households": "300"},
    )
    assert response.status_code == 302
    tree.compound.refresh_from_db()
    tree.building.refresh_from_db()
    assert tree.compound.name == "桂花苑" and tree.compound.households == 300
    assert tree.compound.path == f"{tree.other_community.path}{tree.compound.pk}/"
    assert tree.building.path.startswith(tree.compound.path)
    actions = set(AuditEvent.objects.filter(object_id=tree.compound.pk).values_list("action", flat=True))
    assert {"moved", "updated"} <= actions
    # the time line spells the move out with names
    response = client.get(reverse("area-detail", args=[tree.compound.pk]))
    moved = [e for e in response.context["timeline"] if e.event.action == "moved"][0]
    assert moved.before.endswith(tree.grid.name) and moved.after.endswith(tree.other_community.name)


def test_register_and_edit_an_enterprise(login, tree, staff):
    client = login(staff.community_staff)
    code = make_uscc(4242)
    response = client.post(
        reverse("enterprise-create"),
        {"name": "府街科技", "credit_code": code.lower(), "kind": "private_enterprise",
         "area": tree.grid.pk, "employees": "12"},
    )
    enterprise = Enterprise.objects.get(credit_code=code)
    assert response.status_code == 302 and response.url == reverse("enterprise-detail", args=[enterprise.pk])
    response = client.post(
        reverse("enterprise-edit", args=[enterprise.pk]),
        {"name": "府街科技有限公司", "credit_code": code, "kind": "private_enterprise",
         "area": tree.community.pk, "employees": "15"},
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "府街科技有限公司" and enterprise.area == tree.community
    assert list(
        AuditEvent.objects.filter(object_id=enterprise.pk, content_type__model="enterprise")
        .values_list("action", flat=True)
    ) == ["created", "updated"]


def test_create_and_edit_a_party_org(login, tree, staff, orgs):
    client = login(staff.community_staff)
    compound2 = make_area(AreaKind.COMPOUND, tree.grid, name="二号小区")
    building2 = make_area(AreaKind.BUILDING, compound2, name="2栋")
    response = client.post(
        reverse("party-org-create") + f"?parent={orgs['grid_org'].pk}",
        {"scheme_level": level(3).pk, "name": "2栋党小组", "parent": orgs["grid_org"].pk,
         "covered_area": building2.pk, "founded_on": "2023-07-01"},
    )
    org = PartyOrganisation.objects.get(name="2栋党小组")
    assert response.status_code == 302 and response.url == reverse("party-org-detail", args=[org.pk])
    assert org.level == 3 and org.parent == orgs["grid_org"] and org.founded_on == datetime.date(2023, 7, 1)
    response = client.post(
        reverse("party-org-edit", args=[org.pk]),
        {"name": "二号小区2栋党小组", "parent": orgs["grid_org"].pk, "covered_area": tree.building.pk},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "二号小区2栋党小组" and org.covered_area == tree.building
    assert set(AuditEvent.objects.filter(object_id=org.pk, content_type__model="partyorganisation")
               .values_list("action", flat=True)) == {"created", "updated"}


def test_appoint_a_new_person_and_end_the_post(login, tree, staff, orgs):
    client = login(staff.community_staff)
    response = client.post(
        reverse("post-appoint", args=[orgs["grid_org"].pk]),
        {"new_person_name": "陈静", "new_person_is_party_member": "on", "role": PostRole.SECRETARY,
         "started_on": "2024-01-01", "lives_in_unit": "on", "note": "换届"},
    )
    assert response.status_code == 302
    assert response.url == reverse("party-org-detail", args=[orgs["grid_org"].pk])
    post = Post.objects.get(person__name="陈静")
    assert post.person.area == tree.grid and post.lives_in_unit and post.started_on == datetime.date(2024, 1, 1)
    assert AuditEvent.objects.filter(object_id=post.pk, action="appointed", note="换届").exists()
    assert AuditEvent.objects.filter(object_id=post.person.pk, content_type__model="person").exists()

    response = client.post(reverse("post-end", args=[post.pk]), {"ended_on": "2024-12-31"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.ended_on == datetime.date(2024, 12, 31)
    assert AuditEvent.objects.filter(object_id=post.pk, action="ended").exists()


def test_appoint_an_existing_person(login, tree, staff, orgs):
    person = PersonFactory(name="刘洋", area=tree.compound)
    response = login(staff.community_staff).post(
        reverse("post-appoint", args=[orgs["building_group"].pk]),
        {"person": person.pk, "role": PostRole.DEPUTY_SECRETARY},
    )
    assert response.status_code == 302
    assert Post.objects.get(person=person).organisation == orgs["building_group"]


# --- Lists: the shared FilterSets, bounded queries --------------------------------------


def test_area_list_uses_the_filterset(login, tree, staff):
    client = login(staff.district_admin)
    response = client.get(reverse("area-list"), {"kind": "compound"})
    assert [a.pk for a in response.context["object_list"]] == [tree.compound.pk, tree.other_compound.pk]
    response = client.get(reverse("area-list"), {"search": "桂花"})
    assert [a.pk for a in response.context["object_list"]] == [tree.compound.pk]
    response = client.get(reverse("area-list"), {"within": tree.grid.pk})
    assert {a.pk for a in response.context["object_list"]} == {tree.grid.pk, tree.compound.pk, tree.building.pk}


def test_area_list_is_limited_to_the_scope(login, tree, staff):
    response = login(staff.other_community_staff).get(reverse("area-list"))
    shown = {a.pk for a in response.context["object_list"]}
    assert tree.other_compound.pk in shown and tree.street.pk in shown  # own branch, context above
    assert tree.compound.pk not in shown and tree.community.pk not in shown
    # filtering "within" an invisible area is an error, not a leak
    response = login(staff.other_community_staff).get(reverse("area-list"), {"within": tree.grid.pk})
    assert list(response.context["object_list"]) == []
    assert response.context["filterset"].form.errors


def test_enterprise_and_party_org_lists_use_their_filtersets(login, tree, staff, orgs, enterprise):
    client = login(staff.district_admin)
    other = EnterpriseFactory(area=tree.other_community, name="柏杨商贸")
    response = client.get(reverse("enterprise-list"), {"within": tree.other_community.pk})
    assert [e.pk for e in response.context["object_list"]] == [other.pk]
    response = client.get(reverse("party-org-list"), {"level": 1})
    assert {o.pk for o in response.context["object_list"]} == {
        orgs["committee"].pk, orgs["other_committee"].pk,
    }


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["object_list"])


@pytest.mark.parametrize("name", ["area-list", "enterprise-list", "party-org-list"])
def test_list_queries_do_not_grow_with_the_page_size(
    login, tree, staff, orgs, name, django_assert_max_num_queries
):
    for n in range(55):
        make_area(AreaKind.COMPOUND, tree.grid, name=f"批量小区{n:02d}")
        EnterpriseFactory(area=tree.grid, name=f"批量企业{n:02d}")
        org = make_org(LESHAN, 2, parent=orgs["committee"], area=tree.grid, name=f"批量党组织{n:02d}")
        appoint(org, name=f"书记{n:02d}")
    client = login(staff.community_staff)
    url = reverse(name)
    small, shown_small = _queries(client, url, {"page_size": 10})
    large, shown_large = _queries(client, url, {"page_size": 50})
    assert (shown_small, shown_large) == (10, 50)
    assert small == large
    with django_assert_max_num_queries(12):
        client.get(url, {"page_size": 50, "page": 2})


# --- The language of service messages and role names -------------------------------------


def test_role_names_are_translated(login, tree, staff):
    give_role(staff.community_staff, tree.other_community, StaffRole.Role.COMMUNITY_STAFF)
    page = html(login(staff.community_staff).get(reverse("home")))
    assert "社区工作人员" in page
