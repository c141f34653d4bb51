"""The staff pages of the micro-wish configuration: categories and the time limits in
force (any staff member reads them), one category's settings and the default limits
(district administrators and superusers change them through wishes.services_config,
audited, all of a form or nothing)."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import AuditEvent
from wishes.models import Category, TimeLimit

from .conftest import T0
from .factories import submit_wish

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LEVELS = ("community", "street", "centre")
SETTINGS = reverse("wish-settings")
DEFAULTS = reverse("wish-settings-defaults")


def html(response) -> str:
    return response.content.decode()


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def edit_url(code: str) -> str:
    return reverse("wish-settings-category", args=[code])


def category_form(*, escalate=False, active=True, **hours) -> dict:
    """The category form as a browser sends it: ticked boxes only, every hour field."""
    data = {}
    if escalate:
        data["escalate_when_overdue"] = "on"
    if active:
        data["is_active"] = "on"
    for level in LEVELS:
        accept, resolve = hours.get(level, ("", ""))
        data[f"{level}_accept_hours"], data[f"{level}_resolve_hours"] = accept, resolve
    return data


def defaults_form(**hours) -> dict:
    data = {}
    for level in LEVELS:
        accept, resolve = hours.get(level, (24, 168))
        data[f"{level}_accept_hours"], data[f"{level}_resolve_hours"] = accept, resolve
    return data


def limits_table() -> set:
    return set(TimeLimit.objects.values_list("category__code", "level", "accept_hours", "resolve_hours"))


def config_events() -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(content_type__model__in=["category", "timelimit"])
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def own_limit():
    """Sanitation has its own community limit (4 h to accept, 48 h to resolve)."""
    return TimeLimit.objects.create(
        category=Category.objects.get(code="sanitation"), level="community",
        accept_hours=4, resolve_hours=48,
    )


# --- the overview ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["district_admin", "street_staff", "community_staff", "compound_secretary"])
def test_any_staff_member_sees_the_categories_with_the_limits_in_force(login, staff, own_limit, user):
    response = login(getattr(staff, user)).get(SETTINGS, **EN)
    assert response.status_code == 200
    categories = {c.code: c for c in response.context["categories"]}
    assert list(categories) == list(Category.objects.values_list("code", flat=True))

    sanitation = {e["level"]: e for e in categories["sanitation"].limits}
    assert (sanitation["community"]["accept_hours"], sanitation["community"]["resolve_hours"]) == (4, 48)
    assert sanitation["community"]["source"] == "category"
    assert (sanitation["street"]["accept_hours"], sanitation["street"]["source"]) == (24, "default")
    lighting = {e["level"]: e for e in categories["lighting"].limits}
    assert {e["source"] for e in lighting.values()} == {"default"}
    assert [(d["level"], d["accept_hours"], d["resolve_hours"]) for d in response.context["defaults"]] == [
        ("community", 24, 168), ("street", 24, 168), ("centre", 24, 240),
    ]

    page = html(response)
    assert "环境卫生" in page and "sanitation" in page
    own_cell = page.split('class="limit limit-category" data-level="community"')[1].split("</td>")[0]
    assert "4 / 48" in own_cell and "own" in own_cell
    assert page.count('class="limit limit-category"') == 1
    assert "Escalate when overdue" in page


@pytest.mark.parametrize(
    ("user", "edits"),
    [("superuser", True), ("district_admin", True), ("street_staff", False), ("compound_secretary", False)],
)
def test_edit_links_are_shown_only_to_users_who_can_configure(login, staff, user, edits):
    page = html(login(getattr(staff, user)).get(SETTINGS, **EN))
    assert (edit_url("lighting") in page) == edits
    assert (DEFAULTS in page) == edits


def test_the_settings_page_is_in_the_micro_wish_sub_menu(login, staff):
    client = login(staff.community_staff)
    assert f'href="{SETTINGS}"' in html(client.get(reverse("wish-inbox"), **EN))
    page = html(client.get(SETTINGS, **EN))
    assert f'href="{SETTINGS}" aria-current="page"' in page
    assert f'href="{reverse("wish-inbox")}" aria-current="page">Inbox' not in page


def test_the_settings_page_needs_a_role(client, login, staff):
    assert client.get(SETTINGS).status_code == 302
    assert login(staff.no_role).get(SETTINGS).status_code == 403


def test_the_settings_page_queries_do_not_grow_with_the_categories(login, staff):
    client = login(staff.street_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(SETTINGS)
    for n in range(5):
        category = Category.objects.create(code=f"extra-{n}", name=f"类别{n}")
        TimeLimit.objects.create(category=category, level="street", accept_hours=5, resolve_hours=50)
    with CaptureQueriesContext(connection) as many:
        response = client.get(SETTINGS)
    assert len(response.context["categories"]) == Category.objects.count()
    assert len(many) == len(few)


# --- one category --------------------------------------------------------------------------


def test_the_category_form_starts_from_its_own_limits_and_shows_the_defaults(login, staff, own_limit):
    response = login(staff.district_admin).get(edit_url("sanitation"), **EN)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["escalate_when_overdue"] is True and form.initial["is_active"] is True
    assert (form.initial["community_accept_hours"], form.initial["community_resolve_hours"]) == (4, 48)
    assert "street_accept_hours" not in form.initial  # the default applies: empty
    page = html(response)
    assert 'name="community_accept_hours" value="4"' in page
    assert "24 / 240" in page  # the centre's default, beside its empty fields
    assert "History" in page


def test_a_district_admin_changes_a_categorys_limits_and_escalation_with_audit_events(
    login, tree, staff, clock
):
    earlier = submit_wish(tree, category="education", title="作业辅导")
    assert earlier.due_at == T0 + datetime.timedelta(hours=24)
    client = login(staff.district_admin)

    response = client.post(
        edit_url("education"),
        category_form(escalate=True, community=("6", "72"), street=(" 12 ", "96")),
        **EN,
    )
    assert response.status_code == 302 and response.url == SETTINGS
    assert flash(response) == [
        "The category 助学辅导 was saved. Changed limits apply to stages that start from now on."
    ]
    education = Category.objects.get(code="education")
    assert education.escalate_when_overdue is True and education.is_active is True
    assert {row for row in limits_table() if row[0] == "education"} == {
        ("education", "community", 6, 72), ("education", "street", 12, 96),
    }
    events = AuditEvent.objects.filter(content_type__model="category", object_id=education.pk).order_by("id")
    assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("updated", "escalate_when_overdue=false", "escalate_when_overdue=true", staff.district_admin.pk),
        ("time_limit_set", "", "6h/72h", staff.district_admin.pk),
        ("time_limit_set", "", "12h/96h", staff.district_admin.pk),
    ]

    # The next wish of the category gets the new limit; the running one keeps its due time.
    clock.advance(hours=1)
    later = submit_wish(tree, category="education", title="暑期托管")
    assert later.due_at == T0 + datetime.timedelta(hours=1 + 6)
    earlier.refresh_from_db()
    assert earlier.due_at == T0 + datetime.timedelta(hours=24)
    # Other categories keep the default.
    assert submit_wish(tree, category="lighting").due_at == T0 + datetime.timedelta(hours=1 + 24)

    # The overview and the category's history show it.
    page = html(client.get(SETTINGS, **EN))
    assert page.count('class="limit limit-category"') == 2
    page = html(client.get(edit_url("education"), **EN))
    assert "time limit set" in page and "accept within 6 h, resolve within 72 h" in page
    assert "escalate when overdue: yes" in page
    # The level was recorded in English; a reader in Chinese sees it in Chinese.
    page = html(client.get(edit_url("education"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert '<span class="muted">社区</span>' in page


def test_saving_the_form_unchanged_writes_nothing(login, staff, own_limit):
    client = login(staff.district_admin)
    response = client.post(edit_url("sanitation"), category_form(escalate=True, community=(4, 48)), **EN)
    assert response.status_code == 302
    assert config_events() == []


def test_clearing_both_hours_goes_back_to_the_default(login, tree, staff, own_limit, clock):
    client = login(staff.district_admin)
    response = client.post(edit_url("sanitation"), category_form(escalate=True), **EN)
    assert response.status_code == 302
    assert not TimeLimit.objects.filter(category__code="sanitation").exists()
    assert config_events() == [("time_limit_cleared", "4h/48h", "")]
    assert submit_wish(tree, category="sanitation").due_at == T0 + datetime.timedelta(hours=24)
    categories = {c.code: c for c in client.get(SETTINGS).context["categories"]}
    assert {e["source"] for e in categories["sanitation"].limits} == {"default"}
    page = html(client.get(edit_url("sanitation"), **EN))
    assert "own time limit removed; the default applies" in page
    assert "accept within 4 h, resolve within 48 h → default" in page


def test_a_district_admin_retires_a_category(login, staff):
    response = login(staff.district_admin).post(
        edit_url("lighting"), category_form(escalate=True, active=False), **EN
    )
    assert response.status_code == 302
    lighting = Category.objects.get(code="lighting")
    assert (lighting.is_active, lighting.escalate_when_overdue) == (False, True)
    assert config_events() == [("updated", "is_active=true", "is_active=false")]


@pytest.mark.parametrize(
    ("centre", "field", "message"),
    [
        (("0", "48"), "centre_accept_hours", "The limit must be more than 0 hours."),
        (("abc", "48"), "centre_accept_hours", "Enter a whole number of hours."),
        (("12", "-3"), "centre_resolve_hours", "The limit must be more than 0 hours."),
        (("99999", "48"), "centre_accept_hours", "The limit can be at most 8784 hours (a year)."),
        (("", "48"), "centre_accept_hours", "Enter both hours, or leave both empty to use the default."),
        (("12", ""), "centre_resolve_hours", "Enter both hours, or leave both empty to use the default."),
    ],
)
def test_bad_hours_keep_the_input_and_change_nothing(login, staff, own_limit, centre, field, message):
    before = limits_table()
    # Good changes to the flag and two levels, a bad last level: nothing is saved.
    data = category_form(escalate=False, community=("", ""), street=("6", "60"), centre=centre)
    response = login(staff.district_admin).post(edit_url("sanitation"), data, **EN)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    page = html(response)
    assert "Nothing was saved. Please correct the marked fields." in page
    for name in ("centre_accept_hours", "centre_resolve_hours", "street_accept_hours"):
        assert f'name="{name}" value="{data[name]}"' in page or data[name] == ""
    checkbox = re.search(r'<input type="checkbox" name="escalate_when_overdue"[^>]*>', page)[0]
    assert "checked" not in checkbox  # as sent, not as saved

    assert limits_table() == before
    assert Category.objects.get(code="sanitation").escalate_when_overdue is True
    assert config_events() == []


def test_every_levels_mistakes_show_at_once(login, staff):
    data = category_form(community=("0", "1"), street=("x", "2"), centre=("3", "0"))
    response = login(staff.district_admin).post(edit_url("lighting"), data, **EN)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "community_accept_hours", "street_accept_hours", "centre_resolve_hours",
    }
    assert not TimeLimit.objects.filter(category__code="lighting").exists()


@pytest.mark.parametrize("user", ["street_staff", "compound_secretary", "community_staff"])
@pytest.mark.parametrize("url", [edit_url("lighting"), DEFAULTS])
def test_users_who_cannot_configure_get_403_on_the_edit_pages(login, staff, user, url):
    client = login(getattr(staff, user))
    before = limits_table()
    assert client.get(url, **EN).status_code == 403
    data = {**category_form(escalate=False, community=("1", "2")), **defaults_form(community=(1, 2))}
    response = client.post(url, data, **EN)
    assert response.status_code == 403
    assert limits_table() == before
    assert Category.objects.get(code="lighting").escalate_when_overdue is True
    assert config_events() == []


def test_the_edit_pages_need_a_login(client):
    for url in (edit_url("lighting"), DEFAULTS):
        response = client.post(url, defaults_form())
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_unknown_category_is_a_404(login, staff):
    assert login(staff.district_admin).get(edit_url("no-such-thing")).status_code == 404


# --- the defaults ----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["district_admin", "superuser"])
def test_editing_the_default_limits(login, tree, staff, own_limit, clock, user):
    client = login(getattr(staff, user))
    response = client.get(DEFAULTS, **EN)
    assert response.status_code == 200
    assert response.context["form"].initial["centre_resolve_hours"] == 240

    response = client.post(DEFAULTS, defaults_form(community=(8, 100), centre=(24, 240)), **EN)
    assert response.status_code == 302 and response.url == SETTINGS
    assert flash(response) == [
        "The default time limits were saved. They apply to stages that start from now on."
    ]
    assert TimeLimit.objects.get(category=None, level="community").accept_hours == 8
    assert config_events() == [("time_limit_set", "24h/168h", "8h/100h")]
    # Categories without their own limit take the new default; sanitation keeps its own.
    assert submit_wish(tree, category="lighting").due_at == T0 + datetime.timedelta(hours=8)
    assert submit_wish(tree, category="sanitation").due_at == T0 + datetime.timedelta(hours=4)

    page = html(client.get(DEFAULTS, **EN))
    assert 'name="community_accept_hours" value="8"' in page
    assert "accept within 8 h, resolve within 100 h" in page  # the history


def test_a_default_level_without_a_row_is_created(login, staff):
    TimeLimit.objects.filter(category=None, level="street").delete()
    client = login(staff.district_admin)
    assert client.get(DEFAULTS).context["form"].initial["street_accept_hours"] == 24  # built in
    assert client.post(DEFAULTS, defaults_form(street=(30, 300))).status_code == 302
    assert TimeLimit.objects.filter(category=None, level="street").values_list(
        "accept_hours", "resolve_hours"
    ).get() == (30, 300)


@pytest.mark.parametrize(
    ("street", "field"),
    [(("", "168"), "street_accept_hours"), (("0", "168"), "street_accept_hours"),
     (("24", "many"), "street_resolve_hours")],
)
def test_bad_default_hours_keep_the_input_and_change_nothing(login, staff, street, field):
    before = limits_table()
    data = defaults_form(community=(1, 2), street=street)
    response = login(staff.district_admin).post(DEFAULTS, data, **EN)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    page = html(response)
    assert 'name="community_accept_hours" value="1"' in page
    assert f'name="street_resolve_hours" value="{street[1]}"' in page
    assert limits_table() == before
    assert config_events() == []
