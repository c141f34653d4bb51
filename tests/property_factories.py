"""Plain builders for property records, written straight to the database (tests of
the services call the services; these only set the scene)."""

import datetime
import itertools
import secrets

from properties.models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    CompanyStaff,
    Household,
    MemberRole,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    ServiceMode,
    ServiceModeKind,
)

from .factories import make_uscc

_n = itertools.count(500_000)
D0 = datetime.date(2026, 1, 1)


def make_company(area, name=None, **fields) -> PropertyCompany:
    n = next(_n)
    return PropertyCompany.objects.create(
        name=name or f"物业公司{n}", credit_code=make_uscc(n), area=area, **fields
    )


def make_mode(compound, kind=ServiceModeKind.PROFESSIONAL, company=None, **fields) -> ServiceMode:
    fields.setdefault("started_on", D0)
    if kind not in (ServiceModeKind.PROFESSIONAL, ServiceModeKind.TRUST, ServiceModeKind.EMERGENCY):
        fields.setdefault("responsible_body", "社区居委会")
    if kind == ServiceModeKind.EMERGENCY:
        fields.setdefault("contract_ends_on", D0 + datetime.timedelta(days=180))
    return ServiceMode.objects.create(compound=compound, kind=kind, company=company, **fields)


def make_committee(community, compounds=(), kind=CommitteeKind.OWNERS, **fields) -> Committee:
    fields.setdefault("name", f"业委会{next(_n)}")
    fields.setdefault("term_started_on", datetime.date(2024, 1, 1))
    fields.setdefault("term_ends_on", datetime.date(2029, 1, 1))
    committee = Committee.objects.create(community=community, kind=kind, **fields)
    committee.compounds.set(compounds)
    return committee


def add_member(committee, name=None, role=MemberRole.MEMBER, **fields) -> CommitteeMember:
    fields.setdefault("joined_on", committee.term_started_on)
    return CommitteeMember.objects.create(
        committee=committee, name=name or f"委员{next(_n)}", role=role, **fields
    )


def make_household(compound, building="1", room=None, **fields) -> Household:
    return Household.objects.create(
        compound=compound, building=building, room=room or str(next(_n)),
        code=fields.pop("code", None) or secrets.token_hex(5).upper(), **fields,
    )


def make_period(district, year=2026, half=1, status=PeriodStatus.OPEN, **fields) -> RatingPeriod:
    start = datetime.datetime(year, 6 if half == 1 else 12, 1, tzinfo=datetime.UTC)
    fields.setdefault("opens_at", start)
    fields.setdefault("closes_at", start + datetime.timedelta(days=45))
    return RatingPeriod.objects.create(district=district, year=year, half=half, status=status, **fields)


def make_company_staff(user, company) -> CompanyStaff:
    return CompanyStaff.objects.create(user=user, company=company)


# --- residents, ratings results, disputes (helper D) -------------------------------------


def make_result(period, company, status="rated", **fields):
    """A published result row, written straight (closing a period is tested elsewhere)."""
    from properties.models import RatingResult

    fields.setdefault("owner_count", 12)
    if status == "rated":
        fields.setdefault("total", 85)
        fields.setdefault("stars", 4)
        fields.setdefault("owner_score", 88)
        fields.setdefault("review_score", 80)
        fields.setdefault("inspection_score", 84)
    return RatingResult.objects.create(period=period, company=company, status=status, **fields)


def make_dispute(compound, mediated_on=None, outcome="resolved", company=None, **fields):
    from properties.models import Dispute

    fields.setdefault("subject", "停车位纠纷")
    fields.setdefault("parties", "3栋业主与物业公司")
    return Dispute.objects.create(
        compound=compound, company=company, outcome=outcome,
        mediated_on=mediated_on or datetime.date(2026, 2, 10), **fields,
    )


# --- star rating sources (helper C) --------------------------------------------------------


def add_owner_ratings(period, company, compound, scores):
    """Owners' ratings written straight (one new household each); the submit service
    is helper D's. Aspects are set to the nearest star, the score as given."""
    from decimal import Decimal

    from properties.models import OwnerRating

    rows = []
    for score in scores:
        stars = max(1, min(5, round(float(score) / 20)))
        rows.append(OwnerRating(
            period=period, household=make_household(compound), company=company, compound=compound,
            service=stars, cleanliness=stars, security=stars, maintenance=stars, transparency=stars,
            score=Decimal(str(score)),
        ))
    return OwnerRating.objects.bulk_create(rows)


def add_review(period, company, area, score):
    from decimal import Decimal

    from properties.models import OrgReview

    return OrgReview.objects.create(period=period, company=company, area=area, score=Decimal(str(score)))


def add_inspection(period, company, compound, score, inspected_on=None):
    from decimal import Decimal

    from properties.models import Inspection

    return Inspection.objects.create(
        period=period, company=company, compound=compound, score=Decimal(str(score)),
        inspected_on=inspected_on or datetime.date(2026, 6, 10), items={},
    )


# --- committees (helper B) ------------------------------------------------------------------


def add_members(committee, count, party=0, cadres=0, **fields) -> list[CommitteeMember]:
    """``count`` plain members at once (no director), the first ``party`` of them party
    members and the first ``cadres`` community cadres (flags only: no cross-appointment)."""
    fields.setdefault("joined_on", committee.term_started_on)
    rows = [
        CommitteeMember(
            committee=committee, name=f"委员{next(_n)}", role=MemberRole.MEMBER,
            is_party_member=i < party, is_community_cadre=i < cadres, **fields,
        )
        for i in range(count)
    ]
    return CommitteeMember.objects.bulk_create(rows)


# --- cross-appointments, 三覆盖 (helper A3) ---------------------------------------------------


def make_appointment(community, kind="company_member_on_party_committee", **fields):
    """A cross-appointment written straight (the record service is tested elsewhere):
    a company kind needs ``company`` and ``party_org``, a cadre kind ``committee``."""
    from properties.models import CrossAppointment

    fields.setdefault("person_name", f"兼职委员{next(_n)}")
    fields.setdefault("started_on", datetime.date(2025, 3, 1))
    return CrossAppointment.objects.create(kind=kind, community=community, **fields)
