"""A wish as an Open311 service request, with no personal data."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from communities.models import Area
from governance.validators import mask_mobile

from ..models import OPEN_STATUSES, Status, Wish
from .common import REJECT_REASONS, STATUS_NOTES

# --- reading wishes as service requests ------------------------------------------------

_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")


def redact(text: str, wish: Wish) -> str:
    """Mask the requester's name and any mobile number in a free text."""
    if not text:
        return text
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(re.sub(r"[\s-]", "", m.group())), text)
    if wish.requester_phone:
        text = text.replace(wish.requester_phone, mask_mobile(wish.requester_phone))
    name = (wish.requester_name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def iso(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the portal's time zone (Asia/Shanghai)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def status_notes(wish: Wish) -> str:
    if wish.status in (Status.RESOLVED, Status.CLOSED):
        note = redact(wish.resolution_note, wish)
        return f"已办结：{note}" if note else "已办结"
    if wish.status == Status.REJECTED:
        return f"未受理：{REJECT_REASONS.get(wish.reject_reason, '其他原因')}"
    return STATUS_NOTES.get(wish.status, wish.get_status_display())


def updated(wish: Wish) -> datetime.datetime:
    """The last change of state (all these times come from the portal's clock)."""
    moments = [
        wish.created_at, wish.stage_started_at, wish.accepted_at, wish.claimed_at,
        wish.resolved_at, wish.rated_at, wish.closed_at,
    ]
    return max(m for m in moments if m is not None)


def request_data(wish: Wish) -> dict:
    compound = wish.compound
    text = wish.description
    if not text.startswith(wish.title):
        text = f"{wish.title}\n{text}"
    address = " ".join(part for part in (compound.name, compound.address.strip()) if part)
    return {
        "service_request_id": wish.tracking_code,
        "status": "open" if wish.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(wish),
        "service_name": wish.category.name,
        "service_code": wish.category.code,
        "description": redact(text, wish)[:4000],
        "agency_responsible": wish.handling_area.name,
        "service_notice": None,
        "requested_datetime": iso(wish.created_at),
        "updated_datetime": iso(updated(wish)),
        "expected_datetime": iso(wish.due_at),
        "address": address,
        "address_id": compound.code,
        "zipcode": None,
        "lat": float(compound.latitude) if compound.latitude is not None else None,
        "long": float(compound.longitude) if compound.longitude is not None else None,
        "media_url": None,
    }


def _wishes(jurisdiction: Area | None):
    qs = Wish.objects.select_related("category", "compound", "community", "street")
    if jurisdiction is not None:
        qs = qs.filter(compound__path__startswith=jurisdiction.path)
    return qs

