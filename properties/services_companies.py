"""Writes about the property company registry, the companies' staff (the
property-company role) and how each compound is served (``ServiceMode``).

Rules kept here (the API, the pages and the demo loader call these functions only):

* A company is registered with a district, county, street, town or development zone
  the actor may change. Its unified social credit code is checked (GB 32100-2015) and
  unique; its enterprise record, party organisation and 物业党总支 must be ones the
  actor can see.
* Company staff (:class:`properties.models.CompanyStaff`) are added and removed by
  whoever may change the company; adding twice adds nothing.
* A compound has at most one current mode (also a database constraint).
  :func:`service_mode_set` locks the compound's row, ends the current mode on the day
  the new one starts (never before the current one started, never in the future) and
  writes the new one; a change identical to the current mode does nothing. Company
  modes (professional, trust, emergency) need an active company and no responsible
  body; the five company-less modes (代理式, 大物业, 捆绑式, 兜底性, 自治化) need the body
  responsible instead. An emergency company has an agreed end date; a trust-model
  service names its supervising street (one above the compound), its charity
  federation and its published accounts (a link or a file).
* :func:`service_mode_end` ends a mode without a successor (only the current one:
  :class:`ServiceModeConflict`, HTTP 409); the compound then has no property service.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import STREET_KINDS, Area, AreaKind, Enterprise
from governance import clock
from governance.audit import record_event
from governance.errors import Conflict
from governance.scoping import require_change
from governance.validators import validate_uscc
from partyorgs.models import PartyOrganisation

from .access import forget_companies
from .models import COMPANY_MODES, CompanyStaff, PropertyCompany, ServiceMode, ServiceModeKind

COMPANY_AREA_KINDS = frozenset({AreaKind.DISTRICT, AreaKind.COUNTY, *STREET_KINDS})
COMPANY_FIELDS = (
    "name", "credit_code", "area", "address", "contact_name", "contact_phone", "contact_email",
    "enterprise", "party_org", "party_branch",
)
ACCOUNTS_MAX_BYTES = 10 * 1024 * 1024


class ServiceModeConflict(Conflict):
    """The service mode has ended already (only the current one can end), or the
    compound got another current mode meanwhile."""


def today() -> datetime.date:
    return timezone.localdate(clock.now())


def _clean_text(value) -> str:
    return (value or "").strip()


# --- the registry ---------------------------------------------------------------------------


def _validate_company(actor, company: PropertyCompany) -> None:
    """Every rule of a company record; raises one ValidationError with all field errors."""
    errors: dict[str, list[str]] = {}

    def fault(field, message):
        errors.setdefault(field, []).append(message)

    company.name = _clean_text(company.name)
    if not company.name:
        fault("name", _("Enter the company's name."))
    company.credit_code = _clean_text(company.credit_code).upper()
    try:
        validate_uscc(company.credit_code)
    except ValidationError as exc:
        errors.setdefault("credit_code", []).extend(exc.messages)
    else:
        if PropertyCompany.objects.filter(credit_code=company.credit_code).exclude(pk=company.pk).exists():
            fault("credit_code", _("A company with this unified social credit code is already registered."))
    area = company.area if company.area_id else None
    if area is None or area.kind not in COMPANY_AREA_KINDS:
        fault("area", _("A company is registered with a district, county, street, town or development zone."))
    for field in ("party_org", "party_branch"):
        org_id = getattr(company, f"{field}_id")
        if org_id and not PartyOrganisation.objects.visible_to(actor).filter(pk=org_id).exists():
            fault(field, _("Choose a party organisation within your scope."))
    if company.enterprise_id:
        if not Enterprise.objects.visible_to(actor).filter(pk=company.enterprise_id).exists():
            fault("enterprise", _("Choose an enterprise within your scope."))
        elif PropertyCompany.objects.filter(enterprise_id=company.enterprise_id).exclude(pk=company.pk).exists():
            fault("enterprise", _("This enterprise record belongs to another property company already."))
    for field in ("address", "contact_name", "contact_phone", "contact_email"):
        setattr(company, field, _clean_text(getattr(company, field)))
    try:
        company.full_clean(exclude=["credit_code", "area", *errors], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save_company(company: PropertyCompany) -> None:
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError as exc:
        # Two registrations of one code at once: the unique index refuses the second.
        raise ValidationError({"credit_code": _(
            "A company with this unified social credit code is already registered."
        )}) from exc


@transaction.atomic
def company_create(
    *,
    actor,
    area: Area,
    name: str,
    credit_code: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    enterprise=None,
    party_org=None,
    party_branch=None,
) -> PropertyCompany:
    """Register a property company with ``area`` (a district, county, street, town or zone)."""
    if area is None or not isinstance(area, Area):
        raise ValidationError({"area": _("Choose where the company is registered.")})
    require_change(actor, area, message=_("You may not register companies outside your scope."))
    company = PropertyCompany(
        area=area, name=name, credit_code=credit_code, address=address, contact_name=contact_name,
        contact_phone=contact_phone, contact_email=contact_email, enterprise=enterprise,
        party_org=party_org, party_branch=party_branch,
    )
    _validate_company(actor, company)
    _save_company(company)
    record_event(obj=company, actor=actor, action="created", to_state=company.credit_code)
    return company


def _shown(value) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def company_update(*, actor, company: PropertyCompany, **fields) -> PropertyCompany:
    """Change any of :data:`COMPANY_FIELDS`; nothing happens when nothing changes.
    (Active or not: :func:`company_set_active`.)"""
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    require_change(actor, company)
    company = PropertyCompany.objects.select_for_update(of=("self",)).get(pk=company.pk)
    if "credit_code" in fields:
        fields["credit_code"] = _clean_text(fields["credit_code"]).upper()
    for name in ("name", "address", "contact_name", "contact_phone", "contact_email"):
        if name in fields:
            fields[name] = _clean_text(fields[name])
    changed = [name for name in COMPANY_FIELDS if name in fields and getattr(company, name) != fields[name]]
    if not changed:
        return company
    before = {name: getattr(company, name) for name in changed}
    for name in changed:
        setattr(company, name, fields[name])
    if "area" in changed:
        if company.area is None or not isinstance(company.area, Area):
            raise ValidationError({"area": _("Choose where the company is registered.")})
        require_change(actor, company.area, message=_("You may not move a company outside your scope."))
    _validate_company(actor, company)
    _save_company(company)
    record_event(
        obj=company, actor=actor, action="updated",
        from_state="; ".join(f"{n}: {_shown(before[n])}" for n in changed),
        to_state="; ".join(f"{n}: {_shown(getattr(company, n))}" for n in changed),
        note=", ".join(changed),
    )
    return company


@transaction.atomic
def company_set_active(*, actor, company: PropertyCompany, is_active: bool) -> PropertyCompany:
    """Mark a company active or not (an inactive company takes no new service mode;
    the compounds it serves keep their mode until it is changed)."""
    require_change(actor, company)
    company = PropertyCompany.objects.select_for_update(of=("self",)).get(pk=company.pk)
    is_active = bool(is_active)
    if company.is_active == is_active:
        return company
    company.is_active = is_active
    company.save(update_fields=["is_active", "updated_at"])
    record_event(obj=company, actor=actor, action="activated" if is_active else "deactivated",
                 from_state=str(not is_active).lower(), to_state=str(is_active).lower())
    return company


# --- company staff (the property-company role) --------------------------------------------


@transaction.atomic
def company_staff_add(*, actor, company: PropertyCompany, user) -> CompanyStaff:
    """Give ``user`` the company's role (read-only access to its records). Idempotent."""
    require_change(actor, company)
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        raise ValidationError({"user": _("Choose an active user account.")})
    try:
        with transaction.atomic():
            row, created = CompanyStaff.objects.get_or_create(user=user, company=company)
    except IntegrityError:  # added at the same moment by someone else: the same outcome
        row, created = CompanyStaff.objects.get(user=user, company=company), False
    if created:
        record_event(obj=company, actor=actor, action="staff_added", to_state=user.get_username())
    forget_companies(user)
    return row


@transaction.atomic
def company_staff_remove(*, actor, company: PropertyCompany, user) -> bool:
    """Take the company's role from ``user``; returns whether they held it."""
    require_change(actor, company)
    deleted, _rows = CompanyStaff.objects.filter(user=user, company=company).delete()
    if deleted:
        record_event(obj=company, actor=actor, action="staff_removed", from_state=user.get_username())
    forget_companies(user)
    return bool(deleted)


# --- service modes -----------------------------------------------------------------------------


def mode_label(mode: ServiceMode | None) -> str:
    """How a mode is written in the audit trail: ``kind / company or body`` (the
    pages translate the kind)."""
    if mode is None:
        return ""
    who = mode.company.name if mode.company_id else mode.responsible_body
    return f"{mode.kind} / {who}"


def _sniff_accounts(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def clean_accounts_file(upload):
    """Published accounts: a PDF, JPEG or PNG (by its first bytes) of at most 10 MB,
    stored under a random name (the name it came with is not kept)."""
    if not upload:
        return None
    if upload.size is None or upload.size > ACCOUNTS_MAX_BYTES:
        raise ValidationError({"accounts_file": _("The file is too large: at most %(max)s.") % {
            "max": filesizeformat(ACCOUNTS_MAX_BYTES)}})
    upload.seek(0)
    ext = _sniff_accounts(upload.read(16))
    upload.seek(0)
    if ext is None:
        raise ValidationError({"accounts_file": _("Choose a PDF, JPEG or PNG file.")})
    upload.name = f"{uuid.uuid4().hex}.{ext}"
    return upload


def _validate_mode(actor, compound: Area, mode: ServiceMode, current: ServiceMode | None, has_file: bool) -> None:
    errors: dict[str, list[str]] = {}

    def fault(field, message):
        errors.setdefault(field, []).append(message)

    if mode.kind not in ServiceModeKind.values:
        raise ValidationError({"kind": _("Choose a service mode.")})
    if mode.started_on is None:
        fault("started_on", _("Enter the date the mode starts."))
    elif mode.started_on > today():
        fault("started_on", _("A mode is recorded once it has started; it cannot start in the future."))
    elif current is not None and mode.started_on < current.started_on:
        fault("started_on", _("The new mode cannot start before the current one started (%(date)s).") % {
            "date": current.started_on.isoformat()})
    if mode.kind in COMPANY_MODES:
        # Read again: the caller's instance may be older than the registry.
        active = (
            None if mode.company_id is None else
            PropertyCompany.objects.visible_to(actor).filter(pk=mode.company_id)
            .values_list("is_active", flat=True).first()
        )
        if mode.company_id is None:
            fault("company", _("This service mode needs a property company."))
        elif active is None:
            fault("company", _("Choose a company from the registry within your scope."))
        elif not active:
            fault("company", _("%(company)s is marked inactive; it takes no new service.") % {
                "company": mode.company.name})
        if mode.responsible_body:
            fault("responsible_body", _("A company's service is answered for by the company: leave this empty."))
    else:
        if mode.company_id is not None:
            fault("company", _("This service mode has no property company: name the responsible body instead."))
        if not mode.responsible_body:
            fault("responsible_body", _("Name the body responsible for the compound in this mode."))
        if mode.contract_ends_on is not None:
            fault("contract_ends_on", _("Only a company's service has a contract end date."))
    if mode.kind == ServiceModeKind.EMERGENCY and mode.contract_ends_on is None:
        fault("contract_ends_on", _("An emergency company is engaged until an agreed date: enter it."))
    if mode.started_on and mode.contract_ends_on and mode.contract_ends_on <= mode.started_on:
        fault("contract_ends_on", _("The contract must end after it starts (%(date)s).") % {
            "date": mode.started_on.isoformat()})
    if mode.kind == ServiceModeKind.TRUST:
        street = mode.trust_street if mode.trust_street_id else None
        if street is None:
            fault("trust_street", _("A trust-model service is supervised by the street: choose it."))
        elif street.kind not in STREET_KINDS or street.pk not in compound.ancestor_ids:
            fault("trust_street", _("Choose the street, town or zone the compound lies in."))
        if not mode.trust_charity:
            fault("trust_charity", _("Name the supervising charity federation."))
        if not (mode.accounts_url or has_file):
            fault("accounts_url", _("A trust-model service publishes its accounts: give a link or a file."))
    elif mode.trust_street_id or mode.trust_charity:
        fault("trust_street", _("Only a trust-model service has a supervising street and charity federation."))
    if not errors:
        try:
            mode.full_clean(exclude=["compound", "company", "trust_street", "accounts_file"],
                            validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _same_as(current: ServiceMode | None, mode: ServiceMode, new_file) -> bool:
    if current is None or new_file:
        return False
    fields = ("kind", "company_id", "responsible_body", "trust_street_id", "trust_charity", "accounts_url",
              "contract_ends_on")
    return all(getattr(current, f) == getattr(mode, f) for f in fields)


@transaction.atomic
def service_mode_set(
    *,
    actor,
    compound: Area,
    kind: str,
    started_on: datetime.date,
    company: PropertyCompany | None = None,
    responsible_body: str = "",
    trust_street: Area | None = None,
    trust_charity: str = "",
    accounts_url: str = "",
    accounts_file=None,
    contract_ends_on: datetime.date | None = None,
    note: str = "",
) -> ServiceMode:
    """Make this the compound's current service mode, from ``started_on``: the current
    mode ends that day. Returns the current mode unchanged if the change is identical."""
    if compound is None or not isinstance(compound, Area) or compound.kind != AreaKind.COMPOUND:
        raise ValidationError({"compound": _("Choose a residential compound.")})
    require_change(actor, compound, message=_("You may not change how compounds outside your scope are served."))
    # Lock the compound's row before reading its current mode: a second writer waits
    # here until the first commits, then sees the first one's mode as current and ends
    # it, instead of both ending the same old row and inserting two current modes (the
    # partial unique index would refuse the second with an IntegrityError at best).
    compound = Area.objects.select_for_update().get(pk=compound.pk)
    current = (
        ServiceMode.objects.select_for_update(of=("self",)).select_related("company")
        .filter(compound=compound, ended_on__isnull=True).first()
    )
    mode = ServiceMode(
        compound=compound, kind=kind, company=company, responsible_body=_clean_text(responsible_body),
        trust_street=trust_street, trust_charity=_clean_text(trust_charity), accounts_url=_clean_text(accounts_url),
        started_on=started_on, contract_ends_on=contract_ends_on, note=_clean_text(note),
    )
    # A trust service that stays with its company keeps the accounts file it published.
    keeps_file = bool(
        not accounts_file and current is not None and current.accounts_file
        and kind == ServiceModeKind.TRUST == current.kind and current.company_id == mode.company_id
    )
    _validate_mode(actor, compound, mode, current, has_file=bool(accounts_file) or keeps_file)
    if _same_as(current, mode, accounts_file):
        return current
    if accounts_file:
        mode.accounts_file = clean_accounts_file(accounts_file)
    elif keeps_file:
        mode.accounts_file = current.accounts_file.name
    if current is not None:
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
        record_event(obj=current, actor=actor, action="mode_ended", from_state=mode_label(current),
                     to_state=mode_label(mode), note=started_on.isoformat())
    try:
        with transaction.atomic():
            mode.save()
    except IntegrityError as exc:  # the constraint's word, should the lock ever be bypassed
        raise ServiceModeConflict(_("%(compound)s got another current mode meanwhile; reload and try again.") % {
            "compound": compound.name}) from exc
    record_event(obj=mode, actor=actor, action="mode_set", from_state=mode_label(current),
                 to_state=mode_label(mode), note=mode.note)
    return mode


@transaction.atomic
def service_mode_end(*, actor, mode: ServiceMode, ended_on: datetime.date | None = None, note: str = "") -> ServiceMode:
    """End the current mode without a successor (the compound has none until a new
    one is set). ``ended_on`` defaults to today; it cannot lie in the future."""
    require_change(actor, mode)
    mode = ServiceMode.objects.select_for_update(of=("self",)).select_related("company").get(pk=mode.pk)
    if mode.ended_on is not None:
        raise ServiceModeConflict(_("This service mode ended on %(date)s already.") % {
            "date": mode.ended_on.isoformat()})
    ended_on = ended_on or today()
    if ended_on < mode.started_on:
        raise ValidationError({"ended_on": _("The mode cannot end before it started (%(date)s).") % {
            "date": mode.started_on.isoformat()}})
    if ended_on > today():
        raise ValidationError({"ended_on": _("Record the end once it has happened; it cannot lie in the future.")})
    mode.ended_on = ended_on
    mode.save(update_fields=["ended_on"])
    record_event(obj=mode, actor=actor, action="mode_ended", from_state=mode_label(mode),
                 note=_clean_text(note) or ended_on.isoformat())
    return mode
