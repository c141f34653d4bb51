"""The quality inspection checklist (物业服务质量检查表) of the star rating.

An inspector gives each item whole points from 0 to its maximum; the inspection's
score is their sum (the maxima add up to 100). ``Inspection.items`` stores the points
by item code, so the codes below must not change once inspections use them (add a new
code instead, and keep the maxima summing to 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    max_points: int
    guidance: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("management", _("Service management (服务管理)"), 15,
                  _("Service contract and standards published, staff on duty, records and files kept.")),
    ChecklistItem("cleaning", _("Environmental sanitation (环境卫生)"), 15,
                  _("Roads, stairwells and public spaces clean; waste sorted and removed daily.")),
    ChecklistItem("greening", _("Greenery care (绿化养护)"), 10,
                  _("Plants trimmed, watered and protected; no bare or occupied green land.")),
    ChecklistItem("order", _("Order and security (秩序维护)"), 15,
                  _("Gate duty, patrols, parking and e-bike charging kept in order.")),
    ChecklistItem("facilities", _("Facilities and equipment (设施设备)"), 15,
                  _("Lifts, water pumps, lighting and doors maintained; repairs handled in time.")),
    ChecklistItem("fire_safety", _("Fire safety (消防安全)"), 10,
                  _("Fire passages clear, extinguishers and hydrants in order, drills held.")),
    ChecklistItem("fees", _("Fees published (收费公示)"), 10,
                  _("Fees, the use of common income and the repair fund published to the owners.")),
    ChecklistItem("complaints", _("Complaints and owners' satisfaction (投诉处理)"), 10,
                  _("Complaints answered in time and followed up; owners' opinions gathered.")),
)

CHECKLIST_BY_CODE = {item.code: item for item in CHECKLIST}
MAX_SCORE = sum(item.max_points for item in CHECKLIST)
assert MAX_SCORE == 100, "the checklist's maxima must add up to 100"


def checklist_as_dicts() -> list[dict]:
    """The checklist as plain data (the API's ``inspections/checklist/``)."""
    return [
        {"code": i.code, "label": str(i.label), "max_points": i.max_points, "guidance": str(i.guidance)}
        for i in CHECKLIST
    ]


def score_items(items) -> tuple[dict[str, int], Decimal]:
    """Check the points per item and return ``(points by code, score)``.

    Every item must be given whole points between 0 and its maximum; unknown codes
    are refused. Errors are keyed ``items`` with one message per item, naming it.
    """
    if not isinstance(items, dict):
        raise ValidationError({"items": gettext("Give the points as a mapping of item code to points.")})
    errors = []
    points: dict[str, int] = {}
    unknown = sorted(set(items) - set(CHECKLIST_BY_CODE))
    if unknown:
        errors.append(gettext("Unknown checklist items: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})
    for item in CHECKLIST:
        raw = items.get(item.code)
        label = str(item.label)
        if raw is None or raw == "":
            errors.append(gettext("%(item)s: give its points (0–%(max)s).") % {"item": label, "max": item.max_points})
            continue
        value = _whole(raw)
        if value is None or not 0 <= value <= item.max_points:
            errors.append(
                gettext("%(item)s: the points must be a whole number from 0 to %(max)s.")
                % {"item": label, "max": item.max_points}
            )
            continue
        points[item.code] = value
    if errors:
        raise ValidationError({"items": errors})
    return points, Decimal(sum(points.values()))


def _whole(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    try:
        value = Decimal(str(raw).strip())
    except ArithmeticError:
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)
