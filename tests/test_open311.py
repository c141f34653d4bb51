"""Open311 GeoReport v2 at /open311/v2/: JSON checked against the spec's schemas (copied
into tests/open311_schemas/), XML with the same values, errors as the spec's list, no
personal data in anything a GET returns, and filing through the API channel."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from communities.models import Area
from governance.apikeys import api_key_create, api_key_revoke, hash_key
from governance.models import ApiKey
from wishes import services
from wishes.models import Category, Channel, Status, Wish

from .conftest import T0
from .factories import submit_wish

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
PHONE = "13812341234"
NAME = "王阿姨"
SCHEMA_DIR = Path(__file__).parent / "open311_schemas"
SCHEMAS = {path.name: json.loads(path.read_text("utf-8")) for path in SCHEMA_DIR.glob("*.json")}
REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema, default_specification=DRAFT202012))
    for name, schema in SCHEMAS.items()
)
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime_with_offset(value):
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", value):
        return False
    return datetime.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value):
    return not isinstance(value, str) or bool(re.match(r"^[a-z][a-z0-9+.-]*://\S+$", value))


def validate(instance, schema_name):
    Draft202012Validator(SCHEMAS[schema_name], registry=REGISTRY, format_checker=FORMATS).validate(instance)


def test_the_five_schemas_are_kept_in_the_tests_and_do_reject_a_bad_request():
    assert set(SCHEMAS) == {
        "request.json", "requests.json", "service.json", "services.json", "service-definition.json",
    }
    with pytest.raises(Exception, match="open"):
        validate([{"service_request_id": "A", "status": "pending", "service_code": "x",
                   "requested_datetime": "2026-03-02T17:00:00+08:00"}], "requests.json")
    with pytest.raises(Exception, match="date-time"):
        validate({"service_request_id": "A", "status": "open", "service_code": "x",
                  "requested_datetime": "2026-03-02 17:00"}, "request.json")


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def client():
    # Messages are asserted in English; without the header the portal answers in Chinese.
    return Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})


@pytest.fixture
def api_key(db):
    _key, raw = api_key_create(name="12345热线")
    return raw


@pytest.fixture
def located(tree):
    """The tree's two compounds with coordinates about 1.1 km apart (Leshan)."""
    Area.objects.filter(pk=tree.compound.pk).update(
        latitude=Decimal("29.552100"), longitude=Decimal("103.765600"), address="嘉州路18号",
    )
    Area.objects.filter(pk=tree.other_compound.pk).update(
        latitude=Decimal("29.562100"), longitude=Decimal("103.765600"),
    )
    tree.compound.refresh_from_db()
    tree.other_compound.refresh_from_db()
    return tree


def get(client, endpoint, fmt="json", **params):
    url = f"{BASE}{endpoint}.{fmt}"
    return client.get(url, params)


def get_json(client, endpoint, *, expect=200, **params):
    response = get(client, endpoint, "json", **params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def get_xml(client, endpoint, *, expect=200, **params):
    response = get(client, endpoint, "xml", **params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def post(client, fmt="json", headers=None, **fields):
    return client.post(
        f"{BASE}requests.{fmt}", urlencode(fields),
        content_type="application/x-www-form-urlencoded", headers=headers or {},
    )


def filing(api_key, tree, **extra):
    fields = {
        "api_key": api_key, "service_code": "lighting", "address_id": tree.compound.code,
        "description": "3单元楼道灯不亮，晚上上下楼很不方便，请尽快维修", "first_name": "阿姨",
        "last_name": "王", "phone": PHONE,
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


def xml_text(value):
    """What a JSON value looks like as XML element text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def xml_records(root, root_name, item_name):
    assert root.tag == root_name
    assert all(child.tag == item_name for child in root)
    return [{field.tag: field.text for field in item} for item in root]


def assert_same(xml_list, json_list):
    assert len(xml_list) == len(json_list)
    for from_xml, from_json in zip(xml_list, json_list, strict=True):
        assert list(from_xml) == list(from_json)  # same fields, same order
        assert from_xml == {k: xml_text(v) for k, v in from_json.items()}


def errors(response, code):
    assert response.status_code == code, response.content
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        items = xml_records(root, "errors", "error")
        assert all(set(item) == {"code", "description"} for item in items)
        assert all(item["code"] == str(code) for item in items)
        return [item["description"] for item in items]
    body = response.json()
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} and e["code"] == code for e in body)
    return [e["description"] for e in body]


# --- discovery and services ------------------------------------------------------------


def test_discovery_names_the_spec_this_host_and_both_formats(client, db):
    data = get_json(client, "discovery")
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = get_xml(client, "discovery")
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/specification") == endpoint["specification"]
    assert root.findtext("endpoints/endpoint/url") == endpoint["url"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint["formats"]


def test_services_list_every_active_category_as_the_schema_says(client, db):
    Category.objects.filter(code="other").update(is_active=False)
    data = get_json(client, "services")
    validate(data, "services.json")
    for item in data:
        validate(item, "service.json")
    codes = [s["service_code"] for s in data]
    assert "lighting" in codes and "other" not in codes
    assert codes == list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    lighting = next(s for s in data if s["service_code"] == "lighting")
    assert lighting["service_name"] == "照明维修"
    assert lighting["metadata"] is False and lighting["type"] == "realtime"
    assert lighting["keywords"] == "楼道灯,路灯损坏" and lighting["group"]
    assert_same(xml_records(get_xml(client, "services"), "services", "service"), data)


def test_a_service_definition_has_no_attributes_and_an_unknown_code_is_a_404(client, db):
    data = get_json(client, "services/lighting")
    validate(data, "service-definition.json")
    assert data == {"service_code": "lighting", "attributes": []}
    root = get_xml(client, "services/lighting")
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "lighting"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    assert errors(get(client, "services/no-such-thing"), 404)
    assert errors(get(client, "services/no-such-thing", "xml"), 404)


# --- reading requests ------------------------------------------------------------------


def test_a_request_reads_as_the_spec_says_in_json_and_in_xml(client, located, clock):
    wish = submit_wish(located, requester_name=NAME, requester_phone=PHONE)
    data = get_json(client, f"requests/{wish.tracking_code}")
    validate(data, "requests.json")
    (item,) = data
    validate(item, "request.json")
    assert item == {
        "service_request_id": wish.tracking_code,
        "status": "open",
        "status_notes": "已提交，待社区接单",
        "service_name": "照明维修",
        "service_code": "lighting",
        "description": "楼道灯坏了\n3单元楼道灯不亮",
        "agency_responsible": "府街社区",
        "service_notice": None,
        "requested_datetime": "2026-03-02T17:00:00+08:00",
        "updated_datetime": "2026-03-02T17:00:00+08:00",
        "expected_datetime": "2026-03-03T17:00:00+08:00",
        "address": "桂花小区 嘉州路18号",
        "address_id": located.compound.code,
        "zipcode": None,
        "lat": 29.5521,
        "long": 103.7656,
        "media_url": None,
    }
    assert datetime.datetime.fromisoformat(item["expected_datetime"]) == wish.due_at
    root = get_xml(client, f"requests/{wish.tracking_code}")
    assert_same(xml_records(root, "service_requests", "request"), data)
    # Lower case works too (codes are read out over the phone).
    assert get_json(client, f"requests/{wish.tracking_code.lower()}")[0]["service_request_id"] == wish.tracking_code


def test_a_compound_without_coordinates_has_null_lat_and_long(client, tree, clock):
    wish = submit_wish(tree)
    (item,) = get_json(client, f"requests/{wish.tracking_code}")
    validate(item, "request.json")
    assert item["lat"] is None and item["long"] is None and item["address"] == "桂花小区"
    root = get_xml(client, f"requests/{wish.tracking_code}")
    assert root.find("request/lat").text is None


def test_an_unknown_request_id_is_a_404_error_list_in_both_formats(client, db):
    assert errors(get(client, "requests/NOSUCHCODE"), 404)
    assert errors(get(client, "requests/NOSUCHCODE", "xml"), 404)


def test_reading_requests_never_shows_the_requesters_name_or_phone(client, located, staff, clock):
    wish = submit_wish(
        located, requester_name=NAME, requester_phone=PHONE,
        description=f"请{NAME}下班后联系，电话{PHONE}，或者 139-0000-1111",
    )
    wish = services.wish_accept(wish=wish, actor=staff.community_staff)
    wish = services.wish_resolve(wish=wish, actor=staff.community_staff, note=f"已联系{NAME}（{PHONE}）更换灯具")
    responses = [
        get(client, "requests", fmt) for fmt in ("json", "xml")
    ] + [
        get(client, f"requests/{wish.tracking_code}", fmt) for fmt in ("json", "xml")
    ] + [
        get(client, "requests", fmt, service_request_id=wish.tracking_code) for fmt in ("json", "xml")
    ]
    for response in responses:
        assert response.status_code == 200
        raw = response.content
        assert wish.tracking_code.encode() in raw  # the wish is there ...
        assert "桂花小区".encode() in raw  # ... written as UTF-8, not escaped ...
        assert NAME.encode() not in raw  # ... without the requester
        assert PHONE.encode() not in raw
        assert b"13900001111" not in raw and b"0000-1111" not in raw
        assert b"1234" in raw  # masked as 138****1234, recognisable but not callable
    (item,) = get_json(client, f"requests/{wish.tracking_code}")
    assert "王**" in item["description"] and "138****1234" in item["description"]
    assert item["status_notes"] == "已办结：已联系王**（138****1234）更换灯具"


def test_requests_filter_by_ids_service_code_status_and_dates(client, tree, staff, clock):
    first = submit_wish(tree)  # 2026-03-02 09:00 UTC
    clock.advance(days=2)
    second = submit_wish(tree, category="sanitation")
    clock.advance(days=2)
    third = submit_wish(tree)
    services.wish_accept(wish=third, actor=staff.community_staff)
    services.wish_resolve(wish=third, actor=staff.community_staff, note="已修好")

    def ids(**params):
        data = get_json(client, "requests", **params)
        validate(data, "requests.json")
        xml = xml_records(get_xml(client, "requests", **params), "service_requests", "request")
        assert_same(xml, data)
        return [item["service_request_id"] for item in data]

    codes = [w.tracking_code for w in (first, second, third)]
    assert ids() == codes[::-1]  # newest first
    assert ids(service_request_id=f"{codes[0]},{codes[2]}") == [codes[2], codes[0]]
    # A list of ids overrides the other filters (the spec).
    assert ids(service_request_id=codes[0], status="closed") == [codes[0]]
    assert ids(service_code="lighting") == [codes[2], codes[0]]
    assert ids(service_code="sanitation,lighting") == codes[::-1]
    assert ids(status="open") == [codes[1], codes[0]]
    assert ids(status="closed") == [codes[2]]
    assert ids(status="open,closed") == codes[::-1]
    assert ids(start_date="2026-03-03T00:00:00+08:00") == [codes[2], codes[1]]
    assert ids(end_date="2026-03-05T00:00:00Z") == [codes[1], codes[0]]
    assert ids(start_date="2026-03-04T17:00:00+08:00", end_date="2026-03-04T17:00:00+08:00") == [codes[1]]
    # A date means the whole day (Asia/Shanghai); no offset means Asia/Shanghai.
    assert ids(start_date="2026-03-04", end_date="2026-03-04") == [codes[1]]
    assert ids(start_date="2026-03-04T16:59:59", end_date="2026-03-04T17:00:00") == [codes[1]]
    # "+08:00" typed unencoded into a query string arrives as " 08:00".
    assert client.get(f"{BASE}requests.json?start_date=2026-03-06T17:00:00+08:00").json()[0][
        "service_request_id"
    ] == codes[2]


def test_a_bad_date_or_status_or_range_is_a_400_error_list(client, db):
    for params in (
        {"start_date": "yesterday"},
        {"end_date": "2026-02-30"},
        {"start_date": "2026-03-10", "end_date": "2026-03-01"},
        {"start_date": "2026-01-01", "end_date": "2026-06-01"},  # more than 90 days
        {"status": "pending"},
        {"end_date": "0001-01-01"},
        {"start_date": "9999-12-31"},
        {"end_date": "2026-03-01T25:00:00"},
    ):
        for fmt in ("json", "xml"):
            assert errors(get(client, "requests", fmt, **params), 400), params
    (message,) = errors(get(client, "requests", start_date="yesterday"), 400)
    assert "start_date" in message


def test_by_default_the_last_90_days_are_listed_newest_first(client, tree, clock):
    old = submit_wish(tree)
    clock.advance(days=91)
    recent = submit_wish(tree)
    clock.advance(hours=1)
    newest = submit_wish(tree)
    listed = [item["service_request_id"] for item in get_json(client, "requests")]
    assert listed == [newest.tracking_code, recent.tracking_code]
    assert old.tracking_code not in listed


def test_at_most_1000_requests_are_listed(client, tree, clock, monkeypatch):
    monkeypatch.setattr("wishes.open311.views.MAX_RESULTS", 2)
    made = [submit_wish(tree) for _ in range(3)]
    assert len(get_json(client, "requests")) == 2
    assert len(made) == 3


def test_jurisdiction_id_is_our_districts_code_and_an_unknown_one_is_a_404(client, tree, clock):
    wish = submit_wish(tree)
    listed = get_json(client, "requests", jurisdiction_id=tree.district.code)
    assert [item["service_request_id"] for item in listed] == [wish.tracking_code]
    assert get_json(client, "services", jurisdiction_id=tree.district.code)
    for endpoint in ("requests", "services", "discovery", f"requests/{wish.tracking_code}"):
        assert errors(get(client, endpoint, jurisdiction_id="nowhere"), 404)
    # A street is not a jurisdiction.
    assert errors(get(client, "requests", "xml", jurisdiction_id=tree.street.code), 404)


# --- status as the wish moves -----------------------------------------------------------


def test_status_follows_the_wish_through_accept_escalate_and_resolve(client, tree, staff, clock):
    wish = submit_wish(tree)

    def read():
        (item,) = get_json(client, f"requests/{wish.tracking_code}")
        validate(item, "request.json")
        fresh = Wish.objects.get(pk=wish.pk)
        expected = datetime.datetime.fromisoformat(item["expected_datetime"]) if item["expected_datetime"] else None
        assert expected == fresh.due_at
        return item

    clock.advance(hours=2)
    services.wish_accept(wish=wish, actor=staff.community_staff)
    item = read()
    assert (item["status"], item["status_notes"], item["agency_responsible"]) == ("open", "社区已接单", "府街社区")
    assert item["updated_datetime"] == "2026-03-02T19:00:00+08:00"
    assert item["expected_datetime"] == "2026-03-09T19:00:00+08:00"

    clock.advance(hours=1)
    services.wish_escalate(wish=wish, actor=staff.community_staff, note="需要街道协调")
    item = read()
    assert (item["status"], item["status_notes"], item["agency_responsible"]) == ("open", "已转街道", "海棠街道")

    clock.advance(days=1)
    services.wish_resolve(wish=wish, actor=staff.street_staff, note="已更换灯具")
    item = read()
    assert (item["status"], item["status_notes"]) == ("closed", "已办结：已更换灯具")
    assert item["expected_datetime"] is None
    assert item["updated_datetime"] == "2026-03-03T20:00:00+08:00"
    assert item["requested_datetime"] == "2026-03-02T17:00:00+08:00"


def test_a_rejected_wish_is_closed_with_the_reason(client, tree, staff, clock):
    wish = submit_wish(tree)
    services.wish_reject(wish=wish, actor=staff.community_staff, reason="duplicate")
    (item,) = get_json(client, f"requests/{wish.tracking_code}")
    assert (item["status"], item["status_notes"]) == ("closed", "未受理：重复提交")
    assert item["expected_datetime"] is None
    root = get_xml(client, f"requests/{wish.tracking_code}")
    assert root.findtext("request/status_notes") == "未受理：重复提交"
    assert root.find("request/expected_datetime").text is None


# --- filing requests -------------------------------------------------------------------


def test_posting_a_request_files_a_wish_through_the_api_channel(client, tree, api_key, clock):
    fields = filing(api_key, tree)
    response = post(client, **fields)
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] is None and "2026-03-03 17:00" in answer["service_notice"]
    wish = Wish.objects.get(tracking_code=answer["service_request_id"])
    assert wish.channel == Channel.API and wish.status == Status.SUBMITTED
    assert wish.requester_type == "resident" and wish.submitted_by is None
    assert (wish.requester_name, wish.requester_phone) == ("王阿姨", PHONE)
    assert wish.title == fields["description"][:30] and wish.description == fields["description"]
    assert (wish.compound, wish.community, wish.category.code) == (tree.compound, tree.community, "lighting")
    assert PHONE.encode() not in response.content and NAME.encode() not in response.content
    assert ApiKey.objects.get().last_used_at == clock.current

    response = post(client, "xml", **filing(api_key, tree, phone="+86 139 0000 1111", first_name="Li",
                                            last_name="Wei", service_code="sanitation"))
    assert response.status_code == 201, response.content
    (answer,) = xml_records(ET.fromstring(response.content), "service_requests", "request")
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] is None
    wish = Wish.objects.get(tracking_code=answer["service_request_id"])
    assert (wish.requester_name, wish.requester_phone, wish.channel) == ("Li Wei", "13900001111", "api")


def test_the_post_needs_no_csrf_cookie_and_no_session(client, tree, api_key, clock, staff):
    # The client enforces CSRF checks and sends no cookie; a logged-in session adds nothing.
    assert post(client, **filing(api_key, tree)).status_code == 201
    client.force_login(staff.superuser)
    assert errors(post(client, **filing(None, tree)), 403)


def test_posting_without_a_valid_api_key_is_a_403_and_files_nothing(client, tree, api_key, clock):
    for key in (None, "", "o311_not-a-key", "x" * 500):
        assert errors(post(client, **filing(key, tree)), 403)
        assert errors(post(client, "xml", **filing(key, tree)), 403)
    api_key_revoke(key=ApiKey.objects.get())
    assert errors(post(client, **filing(api_key, tree)), 403)
    assert Wish.objects.count() == 0


def test_an_unknown_service_a_bad_phone_or_no_place_is_a_400(client, tree, api_key, clock):
    Category.objects.filter(code="other").update(is_active=False)
    cases = [
        ({"service_code": "no-such-service"}, "service_code"),
        ({"service_code": "other"}, "service_code"),
        ({"phone": "12345"}, "phone"),
        ({"phone": None}, "phone"),
        ({"description": "   "}, "description"),
        ({"address_id": tree.community.code}, "address_id"),  # not a compound
        ({"address_id": "nowhere"}, "address_id"),
        ({"address_id": None}, "address_id"),
        ({"address_id": None, "lat": "abc", "long": "103.7"}, "lat"),
        ({"address_id": None, "lat": "95", "long": "103.7"}, "lat"),
        ({"address_id": None, "lat": "nan", "long": "103.7"}, "lat"),
    ]
    for extra, word in cases:
        for fmt in ("json", "xml"):
            messages = errors(post(client, fmt, **filing(api_key, tree, **extra)), 400)
            assert any(word in m for m in messages), (extra, messages)
    assert Wish.objects.count() == 0


def test_a_validation_error_of_the_service_is_a_400_with_its_message(client, tree, api_key, clock):
    response = post(client, **filing(api_key, tree, first_name="名" * 50))  # over 40 characters
    (message,) = errors(response, 400)
    assert message.startswith("first_name: ")
    assert Wish.objects.count() == 0


def test_jurisdiction_id_limits_where_a_request_may_be_filed(client, tree, api_key, clock):
    assert post(client, **filing(api_key, tree, jurisdiction_id=tree.district.code)).status_code == 201
    assert errors(post(client, **filing(api_key, tree, jurisdiction_id="nowhere")), 404)
    assert Wish.objects.count() == 1


def test_lat_long_files_at_the_nearest_compound_within_2_km(client, located, api_key, clock):
    near_first = filing(api_key, located, address_id=None, lat="29.553000", long="103.765000")
    near_other = filing(api_key, located, address_id=None, lat="29.561000", long="103.765600")
    far = filing(api_key, located, address_id=None, lat="29.652100", long="103.765600")  # 11 km
    code = post(client, **near_first).json()[0]["service_request_id"]
    assert Wish.objects.get(tracking_code=code).compound == located.compound
    code = post(client, **near_other).json()[0]["service_request_id"]
    assert Wish.objects.get(tracking_code=code).compound == located.other_compound
    (message,) = errors(post(client, **far), 400)
    assert "2 km" in message
    assert Wish.objects.count() == 2


def test_the_same_idempotency_key_twice_files_one_wish(client, tree, api_key, clock):
    fields = filing(api_key, tree)
    first = post(client, headers={"Idempotency-Key": "hotline-2026-0001"}, **fields)
    again = post(client, headers={"Idempotency-Key": "hotline-2026-0001"}, **fields)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    # The spec's token_key field works the same way.
    one = post(client, **filing(api_key, tree, token_key="t-42"))
    two = post(client, **filing(api_key, tree, token_key="t-42"))
    assert one.json() == two.json()
    assert Wish.objects.count() == 2
    # Keys are per API key: another system's "t-42" is its own request.
    _other, other_key = api_key_create(name="市民热线平台")
    three = post(client, **filing(other_key, tree, token_key="t-42"))
    assert three.status_code == 201
    assert three.json()[0]["service_request_id"] != one.json()[0]["service_request_id"]
    assert Wish.objects.count() == 3
    assert errors(post(client, headers={"Idempotency-Key": "no spaces or ü"}, **fields), 400)
    assert errors(post(client, **filing(api_key, tree, token_key="k" * 49)), 400)


def test_a_token_finds_the_request_it_created_and_an_unknown_token_is_a_404(client, tree, api_key, clock):
    code = post(client, headers={"Idempotency-Key": "abc-1"}, **filing(api_key, tree)).json()[0][
        "service_request_id"
    ]
    assert get_json(client, "tokens/abc-1") == [{"service_request_id": code, "token": "abc-1"}]
    root = get_xml(client, "tokens/abc-1")
    assert xml_records(root, "service_requests", "request") == [{"service_request_id": code, "token": "abc-1"}]
    assert errors(get(client, "tokens/abc"), 404)  # no suffix matching
    assert errors(get(client, "tokens/1"), 404)
    assert errors(get(client, "tokens/nothing", "xml"), 404)
    submit_wish(tree, idempotency_key="abc-1")  # a web form's key is not an Open311 token
    assert len(get_json(client, "tokens/abc-1")) == 1


def test_an_overlong_description_or_body_is_a_400(client, tree, api_key, clock):
    assert errors(post(client, **filing(api_key, tree, description="x" * (10 * 1024 + 1))), 400)
    assert errors(post(client, **filing(api_key, tree, description="x" * 2001)), 400)
    assert errors(post(client, **filing(api_key, tree, description="x" * 40_000)), 400)
    assert Wish.objects.count() == 0
    # A full 2000-character Chinese description (about 18 KB percent-encoded) is fine.
    response = post(client, **filing(api_key, tree, description="灯" * 2000))
    assert response.status_code == 201, response.content


def test_xml_escapes_markup_and_drops_characters_xml_cannot_carry(client, tree, api_key, clock):
    text = 'Light <b>broken</b> & "dark" \x01 here'
    code = post(client, **filing(api_key, tree, description=text)).json()[0]["service_request_id"]
    raw = get(client, f"requests/{code}", "xml").content
    assert b"<b>" not in raw and b"&lt;b&gt;" in raw and b"&amp;" in raw
    root = ET.fromstring(raw)
    assert root.findtext("request/description") == 'Light <b>broken</b> & "dark"  here'
    (item,) = get_json(client, f"requests/{code}")
    assert item["description"] == text


# --- the rest ---------------------------------------------------------------------------


def test_an_unknown_endpoint_or_method_answers_with_the_error_list(client, db):
    assert errors(client.get(f"{BASE}nothing.json"), 404)
    assert errors(client.get(f"{BASE}requests.csv"), 404)
    assert errors(client.get(f"{BASE}nothing.xml"), 404)
    response = client.post(f"{BASE}services.json")
    assert errors(response, 405) and "GET" in response["Allow"]
    assert errors(client.delete(f"{BASE}requests.xml"), 405)


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(db):
    out = StringIO()
    call_command("create_api_key", "12345热线", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert raw.startswith("o311_") and len(raw) > 40
    assert key.key_hash == hash_key(raw) and raw not in key.key_hash
    assert key.prefix == raw[:12] and key.name == "12345热线" and key.is_active
    listing = StringIO()
    call_command("create_api_key", "--list", stdout=listing)
    assert key.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("create_api_key", "--revoke", key.prefix, stdout=StringIO())
    key.refresh_from_db()
    assert key.is_active is False and key.revoked_at is not None


def test_times_are_in_asia_shanghai_whatever_the_server_clock(client, tree, clock):
    wish = submit_wish(tree)
    (item,) = get_json(client, f"requests/{wish.tracking_code}")
    assert item["requested_datetime"].endswith("+08:00")
    assert datetime.datetime.fromisoformat(item["requested_datetime"]) == T0
