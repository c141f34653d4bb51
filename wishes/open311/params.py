"""Reading and checking Open311 request parameters."""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock

from .common import (
    DEFAULT_WINDOW,
    EARTH_RADIUS_METRES,
    FIELD_NAMES,
    MAX_WINDOW,
    NEAREST_COMPOUND_METRES,
    Open311Error,
)

# --- parameters ------------------------------------------------------------------------


def jurisdiction_from(params) -> Area | None:
    """``jurisdiction_id`` is optional; given, it is the code of our district (a root
    of the territory tree)."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    area = Area.objects.filter(code=code, parent__isnull=True).first()
    if area is None:
        raise Open311Error(404, _("jurisdiction_id not found: %(code)s") % {"code": code})
    return area


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACE_FOR_PLUS = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def parse_moment(value: str, name: str, *, end: bool = False) -> datetime.datetime:
    """ISO 8601 date-time (with or without offset; without means Asia/Shanghai) or date.
    A date as ``end_date`` means the end of that day."""
    text = value.strip()
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", text)
    try:
        # A bare date first: Python's fromisoformat would read it as midnight.
        day = parse_date(text) if _DATE_ONLY.match(text) else None
        moment = None if day else parse_datetime(text)
    except ValueError:
        moment = day = None
    try:
        if moment is None and day is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
            if end:
                moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except (OverflowError, ValueError):
        moment = None
    if moment is None:
        raise Open311Error(
            400, _("%(name)s is not an ISO 8601 date-time: %(value)s") % {"name": name, "value": value[:40]}
        )
    return moment


def date_window(params) -> tuple[datetime.datetime, datetime.datetime]:
    start = parse_moment(params["start_date"], "start_date") if params.get("start_date") else None
    end = parse_moment(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    try:
        if start is None and end is None:
            end = clock.now()
            start = end - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        elif end is None:
            end = start + DEFAULT_WINDOW
    except OverflowError as exc:
        raise Open311Error(400, _("start_date or end_date is out of range.")) from exc
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    if end - start > MAX_WINDOW + datetime.timedelta(days=1):
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return start, end


def _listed(params, name: str) -> list[str]:
    return [part.strip() for part in (params.get(name) or "").split(",") if part.strip()]


def _float(value: str, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (low <= number <= high):  # also false for nan
        raise Open311Error(400, _("%(name)s is not a valid coordinate.") % {"name": name})
    return number


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


def nearest_compound(lat: float, lon: float, jurisdiction: Area | None = None) -> Area | None:
    """The compound with coordinates nearest to (lat, lon), within 2 km."""
    dlat = math.degrees(NEAREST_COMPOUND_METRES / EARTH_RADIUS_METRES)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    candidates = Area.objects.filter(
        kind=AreaKind.COMPOUND,
        latitude__range=(Decimal(f"{lat - dlat:.6f}"), Decimal(f"{lat + dlat:.6f}")),
        longitude__range=(Decimal(f"{lon - dlon:.6f}"), Decimal(f"{lon + dlon:.6f}")),
    )
    if jurisdiction is not None:
        candidates = candidates.filter(path__startswith=jurisdiction.path)
    best, best_distance = None, NEAREST_COMPOUND_METRES
    for area in candidates.order_by("id"):
        distance = _distance_m(lat, lon, float(area.latitude), float(area.longitude))
        if distance <= best_distance:
            best, best_distance = area, distance
    return best


def locate(params, jurisdiction: Area | None) -> Area:
    address_id = (params.get("address_id") or "").strip()
    if address_id:
        compound = Area.objects.filter(code=address_id, kind=AreaKind.COMPOUND).first()
        if compound is None or (jurisdiction is not None and not compound.is_within(jurisdiction)):
            raise Open311Error(
                400, _("address_id is not the code of a residential compound here: %(code)s")
                % {"code": address_id}
            )
        return compound
    if (params.get("lat") or "").strip() and (params.get("long") or "").strip():
        lat = _float(params["lat"], "lat", -90, 90)
        lon = _float(params["long"], "long", -180, 180)
        compound = nearest_compound(lat, lon, jurisdiction)
        if compound is None:
            raise Open311Error(400, _("No residential compound is known within 2 km of lat/long."))
        return compound
    raise Open311Error(
        400, _("Give the location as address_id (a compound code) or lat and long; "
               "address_string alone cannot be placed.")
    )


def requester_name(params) -> str:
    first = (params.get("first_name") or "").strip()
    last = (params.get("last_name") or "").strip()
    if re.search(r"[\u3400-\u9fff]", first + last):
        name = f"{last}{first}"  # 姓 then 名
    else:
        name = " ".join(part for part in (first, last) if part)
    return name or "居民"


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s()-]", "", value or "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix):]
    return phone


def validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{FIELD_NAMES.get(field, field)}: {message}" if field != "__all__" else str(message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [str(message) for message in exc.messages]

