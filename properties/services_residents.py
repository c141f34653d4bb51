"""Writes about residents: households and their rating codes, the owners' rating of
the company serving their compound, and mediated property disputes.

* A :class:`~properties.models.Household` is a place (building, unit, room) with a
  random rating code printed on a slip; no names, no phone numbers.
* :func:`owner_rating_submit` takes no user: the code is the household's proof. One
  row per household and period; rating again replaces the row (``times_replaced``)
  and says so. The period row is share-locked for the whole write
  (``services_ratings.period_lock_for_rating``), so closing the period waits for
  ratings in flight and a rating after the close is refused.
* Disputes are names-free records of a mediation, counted per node and half year
  (``selectors_residents.dispute_counts``).
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock
from governance.audit import record_event
from governance.scoping import require_change

from .models import (
    COMPANY_MODES,
    Dispute,
    Household,
    OwnerRating,
    PropertyCompany,
    RatingPeriod,
    ServiceMode,
)
from .selectors_ratings import companies_rated
from .services_ratings import period_lock_for_rating

# Read out over the phone and typed on a phone: no 0/O, no 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
BULK_MAX_LINES = 5000
COMMENT_MAX = 300
PART_MAX = 20

# --- households ----------------------------------------------------------------------

_SEPARATORS = re.compile(r"\s*[-,，、/\t;；|]\s*|\s+")
_SUFFIXES = (
    ("号楼", "栋", "幢", "座"),  # building
    ("单元",),  # unit
    ("室", "号", "房"),  # room
)
_HEADER_WORDS = {"building", "bldg", "楼栋", "楼号", "栋", "楼", "栋号"}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value) -> str:
    """What a resident typed, as stored: upper case, without spaces and dashes."""
    return re.sub(r"[\s\-_‐‑–—]+", "", str(value or "")).upper()


def format_code(code: str) -> str:
    """``ABCDE-FGHJK``: easier to read off a slip (the dash is ignored when typed)."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def _strip_suffix(value: str, suffixes) -> str:
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


def parse_household_line(line: str) -> tuple[str, str, str]:
    """``"1-2-301"``, ``"1栋,2单元,301"``, ``"1,2,301"`` → ``("1", "2", "301")``;
    ``"3-502"`` (no unit) → ``("3", "", "502")``. Raises ``ValueError`` with the problem."""
    parts = [p.strip() for p in _SEPARATORS.split(line.strip())]
    if len(parts) == 2:
        parts = [parts[0], "", parts[1]]
    if len(parts) != 3:
        raise ValueError(_("write building, unit and room, like 1-2-301 (the unit may be left out)"))
    building, unit, room = (_strip_suffix(p, s) for p, s in zip(parts, _SUFFIXES, strict=True))
    if not building or not room:
        raise ValueError(_("the building and the room are needed"))
    if any(len(p) > PART_MAX for p in (building, unit, room)):
        raise ValueError(_("a building, unit or room is longer than %(n)d characters") % {"n": PART_MAX})
    return building, unit, room


@dataclass(frozen=True)
class HouseholdsAdded:
    created: int
    skipped: int


def _require_compound(compound) -> None:
    if compound is None or compound.kind != AreaKind.COMPOUND:
        raise ValidationError({"compound": _("Choose a residential compound.")})


@transaction.atomic
def households_bulk_create(*, actor, compound: Area, lines: str) -> HouseholdsAdded:
    """Add one household per line of ``lines`` (see :func:`parse_household_line`).
    Every line is checked first; one bad line stores nothing and the error names
    each bad line's number. Households already recorded (or repeated) are skipped."""
    _require_compound(compound)
    require_change(actor, compound, message=_("You may not add households outside your scope."))
    wanted: list[tuple[str, str, str]] = []
    errors = []
    raw_lines = (lines or "").splitlines()
    if len(raw_lines) > BULK_MAX_LINES:
        raise ValidationError({"lines": _("At most %(n)d lines at a time.") % {"n": BULK_MAX_LINES}})
    for number, line in enumerate(raw_lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if not wanted and not errors and _SEPARATORS.split(text)[0].strip().lower() in _HEADER_WORDS:
            continue  # a CSV header line
        try:
            wanted.append(parse_household_line(text))
        except ValueError as exc:
            errors.append(_("Line %(n)d (%(text)s): %(problem)s.") % {"n": number, "text": text[:40], "problem": exc})
    if errors:
        raise ValidationError({"lines": errors})
    if not wanted:
        raise ValidationError({"lines": _("Write one household per line, like 1-2-301.")})
    # The compound row is locked so that two lists added at once do not both insert.
    Area.objects.select_for_update().filter(pk=compound.pk).first()
    existing = set(Household.objects.filter(compound=compound).values_list("building", "unit", "room"))
    new = []
    for key in wanted:
        if key not in existing:
            existing.add(key)
            new.append(key)
    skipped = len(wanted) - len(new)
    if new:
        now = clock.now()
        for _attempt in range(3):
            codes = _free_codes(len(new))
            rows = [
                Household(compound=compound, building=b, unit=u, room=r, code=c, created_at=now)
                for (b, u, r), c in zip(new, codes, strict=True)
            ]
            try:
                with transaction.atomic():
                    Household.objects.bulk_create(rows)
                break
            except IntegrityError:  # pragma: no cover - a code drawn by a concurrent request
                continue
        else:  # pragma: no cover
            raise RuntimeError("could not draw free rating codes")
        record_event(obj=compound, actor=actor, action="households_added",
                     note=f"households added: {len(new)}")
    return HouseholdsAdded(created=len(new), skipped=skipped)


def _free_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        draw = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(Household.objects.filter(code__in=draw).values_list("code", flat=True))
        codes |= draw - taken
    return list(codes)


def _locked_household(actor, household: Household) -> Household:
    require_change(actor, household, message=_("You may not change households outside your scope."))
    return Household.objects.select_for_update().select_related("compound").get(pk=household.pk)


@transaction.atomic
def household_regenerate_code(*, actor, household: Household) -> Household:
    """A new code (the slip was lost, or the old code went round): the old one stops
    working at once. Ratings already given stay."""
    household = _locked_household(actor, household)
    for _attempt in range(5):
        household.code = new_code()
        try:
            with transaction.atomic():
                household.save(update_fields=["code"])
            break
        except IntegrityError:  # pragma: no cover - 32^10 codes
            continue
    # The audit trail never holds the code: read-only staff see the time line.
    record_event(obj=household, actor=actor, action="code_regenerated")
    return household


@transaction.atomic
def household_deactivate(*, actor, household: Household) -> Household:
    """The household no longer rates (merged, demolished, entered twice)."""
    household = _locked_household(actor, household)
    if household.is_active:
        household.is_active = False
        household.save(update_fields=["is_active"])
        record_event(obj=household, actor=actor, action="deactivated")
    return household


@transaction.atomic
def household_reactivate(*, actor, household: Household) -> Household:
    household = _locked_household(actor, household)
    if not household.is_active:
        household.is_active = True
        household.save(update_fields=["is_active"])
        record_event(obj=household, actor=actor, action="reactivated")
    return household


# --- owners' rating --------------------------------------------------------------------


def unknown_code_message() -> str:
    return _("This rating code is not known. Check the code on your slip, or ask your community office.")


def household_for_code(code) -> Household | None:
    """The active household with this code (as typed), or None."""
    code = normalise_code(code)
    if not code or len(code) > 16:
        return None
    return Household.objects.select_related("compound").filter(code=code, is_active=True).first()


def current_company(compound: Area) -> PropertyCompany | None:
    """The company of the compound's current company mode (professional, trust-model,
    emergency); None when the compound is served without a company."""
    mode = (
        ServiceMode.objects.current().filter(compound=compound)
        .select_related("company").order_by("-started_on", "-pk").first()
    )
    if mode is None or mode.kind not in COMPANY_MODES:
        return None
    return mode.company


def rated_company(period: RatingPeriod, household: Household) -> PropertyCompany:
    """The company this household rates in ``period``, or a ValidationError saying
    why it cannot rate (compound outside the district, no company, company not rated)."""
    compound = household.compound
    district = period.district
    if not compound.path.startswith(district.path):
        raise ValidationError({"period": _(
            "This rating period is for %(district)s; %(compound)s is not in it."
        ) % {"district": district.name, "compound": compound.name}})
    company = current_company(compound)
    if company is None:
        raise ValidationError({"code": _("Your compound has no property company to rate this period.")})
    if not companies_rated(period).filter(pk=company.pk).exists():
        raise ValidationError({"code": _(
            "%(company)s, which serves your compound, is not rated in this period."
        ) % {"company": company.name}})
    return company


def _clean_aspects(values: dict) -> dict[str, int]:
    errors, clean = {}, {}
    for name in OwnerRating.ASPECTS:
        value = values.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = _("Choose 1 to 5 stars.")
        else:
            clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def owner_rating_submit(
    *, period: RatingPeriod, code: str, service, cleanliness, security, maintenance, transparency,
    comment: str = "", actor=None,
) -> tuple[OwnerRating, bool]:
    """A household rates the company serving its compound. Returns ``(rating,
    replaced)``: ``replaced`` is True when the household had rated in this period
    and this rating took the earlier one's place. ``actor`` is None for a resident;
    staff entering paper ballots (API) must be able to change the compound."""
    aspects = _clean_aspects({
        "service": service, "cleanliness": cleanliness, "security": security,
        "maintenance": maintenance, "transparency": transparency,
    })
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": COMMENT_MAX}})
    household = household_for_code(code)
    if household is None:
        raise ValidationError({"code": unknown_code_message()})
    if actor is not None:
        require_change(actor, household.compound,
                       message=_("You may not enter ratings for compounds outside your scope."))
    company = rated_company(period, household)
    score = Decimal(sum(aspects.values()) * 4).quantize(Decimal("0.01"))  # mean × 20
    with transaction.atomic():
        period = period_lock_for_rating(period)  # open, or a clear "closed on …" error
        rating, previous = _store(period, household, company, aspects, score, comment)
        if previous is None:
            record_event(obj=rating, actor=actor, action="rated", to_state=score)
        else:
            record_event(obj=rating, actor=actor, action="rating_replaced",
                         from_state=previous, to_state=score)
    return rating, previous is not None


def _store(period, household, company, aspects, score, comment):
    """Insert the household's row, or replace it; returns ``(rating, previous score
    or None)``. Two first ratings at once: the loser of the unique constraint
    becomes a replacement of the winner's row."""
    now = clock.now()
    fields = {**aspects, "company": company, "compound": household.compound, "score": score,
              "comment": comment, "submitted_at": now}
    rating = OwnerRating.objects.select_for_update().filter(period=period, household=household).first()
    if rating is None:
        try:
            with transaction.atomic():
                return OwnerRating.objects.create(period=period, household=household, **fields), None
        except IntegrityError:
            rating = OwnerRating.objects.select_for_update().filter(period=period, household=household).first()
            if rating is None:
                raise
    previous = rating.score
    for name, value in fields.items():
        setattr(rating, name, value)
    rating.times_replaced += 1
    rating.save()
    return rating, previous


# --- disputes ------------------------------------------------------------------------

DISPUTE_FIELDS = ("compound", "company", "subject", "parties", "outcome", "mediated_on", "note")


def _today() -> datetime.date:
    return timezone.localdate(clock.now())


def _validate_dispute(dispute: Dispute) -> None:
    errors = {}
    if dispute.compound is None or dispute.compound.kind != AreaKind.COMPOUND:
        errors["compound"] = _("Choose a residential compound.")
    elif dispute.company is not None and not ServiceMode.objects.filter(
        compound=dispute.compound, company=dispute.company
    ).exists():
        errors["company"] = _("%(company)s has never served %(compound)s.") % {
            "company": dispute.company.name, "compound": dispute.compound.name}
    if dispute.mediated_on and dispute.mediated_on > _today():
        errors["mediated_on"] = _("The mediation date cannot be in the future.")
    for name in ("subject", "parties"):
        if not getattr(dispute, name):
            errors[name] = _("This field is required.")
    try:
        dispute.full_clean(exclude=["compound", "company", "recorded_by", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _text(value) -> str:
    return (value or "").strip()


@transaction.atomic
def dispute_record(
    *, actor, compound: Area, subject: str, parties: str, outcome: str,
    mediated_on: datetime.date, company: PropertyCompany | None = None, note: str = "",
) -> Dispute:
    _require_compound(compound)
    require_change(actor, compound, message=_("You may not record disputes outside your scope."))
    dispute = Dispute(
        compound=compound, company=company, subject=_text(subject), parties=_text(parties),
        outcome=outcome, mediated_on=mediated_on, note=_text(note), recorded_by=actor,
        created_at=clock.now(),
    )
    _validate_dispute(dispute)
    dispute.save()
    record_event(obj=dispute, actor=actor, action="created", to_state=outcome)
    return dispute


@transaction.atomic
def dispute_update(*, actor, dispute: Dispute, **fields) -> Dispute:
    """Change any of :data:`DISPUTE_FIELDS`; nothing changes, nothing is written."""
    unknown = set(fields) - set(DISPUTE_FIELDS)
    if unknown:
        raise TypeError(f"dispute_update() got unexpected fields: {sorted(unknown)}")
    require_change(actor, dispute)
    dispute = Dispute.objects.select_for_update(of=("self",)).select_related("compound", "company").get(
        pk=dispute.pk)
    for name in ("subject", "parties", "note"):
        if name in fields:
            fields[name] = _text(fields[name])
    changed = [n for n in DISPUTE_FIELDS if n in fields and getattr(dispute, n) != fields[n]]
    if not changed:
        return dispute
    previous_outcome = dispute.outcome
    for name in changed:
        setattr(dispute, name, fields[name])
    if "compound" in changed:
        _require_compound(dispute.compound)
        require_change(actor, dispute.compound, message=_("You may not move a dispute outside your scope."))
    _validate_dispute(dispute)
    dispute.save()
    record_event(
        obj=dispute, actor=actor, action="updated", note=", ".join(changed),
        from_state=previous_outcome if "outcome" in changed else "",
        to_state=dispute.outcome if "outcome" in changed else "",
    )
    return dispute

