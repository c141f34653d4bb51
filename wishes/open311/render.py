"""JSON and XML rendering of Open311 responses and error lists."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

from .common import CONTENT_TYPES, XML_ITEMS, Open311Error

# --- rendering -----------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters other than tab and newlines).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml_fill(element: ET.Element, name: str, value) -> None:
    child = ET.SubElement(element, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(child, XML_ITEMS.get(name, "item"), item)
    else:
        child.text = _xml_text(value)


def to_xml(data, root: str, item: str | None = None) -> bytes:
    """``data`` is a list of dicts (each becomes an ``item`` under ``root``) or a dict
    (its keys become children of ``root``). None is an empty element."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_fill(element, item, entry)
    else:
        for key, value in data.items():
            _xml_fill(element, key, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(data, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(data, root, item)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)
    response["Cache-Control"] = "no-store"
    return response


def error_response(exc: Open311Error, fmt: str) -> HttpResponse:
    errors = [{"code": exc.code, "description": text} for text in exc.descriptions]
    return respond(errors, fmt, root="errors", item="error", status=exc.code)

