"""Constants and the error type shared by the Open311 modules."""

from __future__ import annotations

import datetime
import re

from ..models import RejectReason, Status, Wish

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (the spec's "changeset").
CHANGESET = "2026-03-01T00:00:00+08:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPEC_FORMATS = ["application/json", "text/xml"]

MAX_RESULTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_WINDOW = datetime.timedelta(days=90)
MAX_BODY_BYTES = 32 * 1024  # a full 2000-character description, percent-encoded, fits
MAX_DESCRIPTION_BYTES = 10 * 1024
MAX_DESCRIPTION_CHARS = Wish._meta.get_field("description").max_length
TITLE_CHARS = 30
NEAREST_COMPOUND_METRES = 2000
EARTH_RADIUS_METRES = 6_371_000
# Tokens (idempotency keys) are kept as "o311:<api key id>:<token>" in a 64-character
# column, so they are short and never contain the separator.
TOKEN_RE = re.compile(r"^[A-Za-z0-9._~-]{1,48}$")
TOKEN_PREFIX = "o311:"
SERVICE_GROUP = "微心愿"

STATUS_NOTES = {
    Status.SUBMITTED: "已提交，待社区接单",
    Status.ACCEPTED: "社区已接单",
    Status.STREET: "已转街道",
    Status.CENTRE: "已转街道服务中心",
    Status.WITHDRAWN: "居民已撤回",
}
REJECT_REASONS = {
    RejectReason.DUPLICATE: "重复提交",
    RejectReason.OUT_OF_SCOPE: "不属于受理范围",
    RejectReason.NOT_FEASIBLE: "暂无法办理",
    RejectReason.OTHER: "其他原因",
}
# Which Open311 parameter a service's ValidationError is about.
FIELD_NAMES = {
    "compound": "address_id",
    "category": "service_code",
    "requester_phone": "phone",
    "requester_name": "first_name",
    "title": "description",
    "description": "description",
}
# Element names of list items in XML.
XML_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, code: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.code = code
        self.descriptions = list(descriptions) or [""]

