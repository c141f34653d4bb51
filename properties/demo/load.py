"""Loading the property demo into 分宜县 through the services (see the package docstring)."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from communities.demo import DEFAULT_PASSWORD, FENYI_CODE, make_credit_code
from communities.demo.names import _h, person_name
from communities.models import Area, AreaKind
from governance import clock
from partyorgs.models import PartyOrganisation

from ..models import PropertyCompany
from . import plans

TZ = ZoneInfo("Asia/Shanghai")
COMPANY_LOGIN = "fenyi-property"
BODIES = {
    "agency": "{community}代理物业服务站",
    "area_wide": "{street}大物业服务中心",
    "bundled": "与相邻小区捆绑，由{community}统一选聘服务",
    "fallback": "{community}居委会（兜底服务）",
    "self_managed": "小区居民自管委",
}


@dataclass
class PropertyLoadResult:
    created: Counter = field(default_factory=Counter)
    existing: bool = False
    seconds: float = 0.0
    period: str = ""


def last_closed_half(today: datetime.date) -> tuple[int, int]:
    """The latest half year whose rating window (to 15 July / 15 January) has ended."""
    if today >= datetime.date(today.year, 7, 15):
        return today.year, 1
    if today >= datetime.date(today.year, 1, 15):
        return today.year - 1, 2
    return today.year - 1, 1


def _at(day: datetime.date, hour=10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def load_demo_properties(*, password: str = DEFAULT_PASSWORD) -> PropertyLoadResult:
    """Companies, service modes, committees, pre-reports, disputes, households and one
    closed, published rating period in 分宜县. All or nothing, once: a second run finds
    the companies and creates nothing."""
    started = time.monotonic()
    result = PropertyLoadResult()
    county = Area.objects.filter(code=FENYI_CODE).first()
    if county is None:
        raise RuntimeError("Load the territory demo first (communities.demo.load_demo).")
    if PropertyCompany.objects.filter(area=county).exists():
        result.existing = True
        return result
    admin = get_user_model().objects.get(username="admin")
    with transaction.atomic():
        _load(county, admin, password, result)
    result.seconds = time.monotonic() - started
    return result


def _load(county, admin, password, result) -> None:
    from wishes.demo import demo_clock

    from .. import services_committees as committees_svc
    from .. import services_companies as companies_svc
    from .. import services_crossappointments as cross_svc
    from .. import services_ratings as ratings_svc
    from .. import services_residents as residents_svc

    today = clock.now().astimezone(TZ).date()
    created = result.created
    compounds = {
        a.code: a for a in Area.objects.within(county).filter(kind=AreaKind.COMPOUND).select_related("parent")
    }
    areas = {a.pk: a for a in Area.objects.within(county)}
    by_community: dict[str, list[str]] = {}
    for code, compound in compounds.items():
        by_community.setdefault(areas[compound.parent_id].code, []).append(code)
    community_of = {code: areas[c.parent_id] for code, c in compounds.items()}
    modes, company_plans = plans.plan_modes(sorted(compounds))

    # --- companies, their party organisations, a company login -----------------------
    org_by_area = {o.area_id: o for o in PartyOrganisation.objects.filter(area__in=list(areas), level=2)}
    companies = {}
    for plan in company_plans:
        first = compounds[sorted(plan.compounds)[0]] if plan.compounds else None
        community = community_of[first.code] if first else None
        companies[plan.key] = companies_svc.company_create(
            actor=admin, area=county, name=plan.name,
            credit_code=make_credit_code("91", FENYI_CODE, ("property", plan.key)),
            address=f"分宜县{community.name if community else '铃城街道'}",
            contact_name=person_name(70_000 + int(plan.key[2:])),
            contact_phone=f"0790-58{_h('tel', plan.key) % 100000:05d}",
            party_branch=org_by_area.get(community.pk) if community else None,
        )
        created["property companies"] += 1
    user, _new = get_user_model().objects.get_or_create(username=COMPANY_LOGIN)
    if _new:
        user.set_password(password)
        user.save()
    companies_svc.company_staff_add(actor=admin, company=companies[company_plans[0].key], user=user)

    # --- how each compound is served ---------------------------------------------------
    company_of = {code: companies[p.key] for p in company_plans for code in p.compounds}
    for code in sorted(compounds):
        compound, mode = compounds[code], modes[code]
        community = community_of[code]
        street = areas[community.parent_id]
        h = _h("mode", code)
        started_on = datetime.date(2019 + h % 6, 1 + (h >> 4) % 12, 1)
        kwargs = {}
        if mode in ("professional", "trust", "emergency"):
            kwargs["company"] = company_of[code]
            kwargs["contract_ends_on"] = started_on.replace(year=started_on.year + 3 + h % 3)
        else:
            kwargs["responsible_body"] = BODIES[mode].format(community=community.name, street=street.name)
        if mode == "trust":
            kwargs.update(trust_street=street, trust_charity="分宜县慈善总会",
                          accounts_url=f"https://example.org/fenyi/trust/{code}")
        if mode == "emergency":
            started_on = today - datetime.timedelta(days=40 + h % 60)
            kwargs["contract_ends_on"] = started_on + datetime.timedelta(days=180)
        companies_svc.service_mode_set(actor=admin, compound=compound, kind=mode, started_on=started_on, **kwargs)
        created["service modes"] += 1

    # --- committees, members (community cadres become cross-appointments) -----------------
    committee_objs = []
    for plan in plans.plan_committees(by_community, modes, today):
        codes = plan.compounds
        names = "、".join(compounds[c].name for c in codes)
        suffix = "业主委员会" if plan.kind == "owners" else "自管委"
        committee = committees_svc.committee_create(
            actor=admin, community=community_of[codes[0]], name=f"{names}{suffix}", kind=plan.kind,
            compounds=[compounds[c] for c in codes],
            term_started_on=plan.term_started_on, term_ends_on=plan.term_ends_on,
        )
        committee_objs.append(committee)
        for name, role, party, cadre in plan.members:
            committees_svc.committee_member_add(
                actor=admin, committee=committee, name=name, role=role, is_party_member=party,
                is_community_cadre=cadre, joined_on=plan.term_started_on,
            )
            created["committee members"] += 1
        created["committees"] += 1

    # --- company party members on community party committees (交叉任职) -------------------
    served_communities = sorted({community_of[c].code for c in company_of}, key=lambda c: _h("x", c))
    community_by_code = {a.code: a for a in areas.values()}
    for i in range(plans.COMPANY_MEMBERS_ON_PARTY_COMMITTEES):
        community = community_by_code[served_communities[i % len(served_communities)]]
        company = next(company_of[c] for c in sorted(company_of) if community_of[c].pk == community.pk)
        cross_svc.cross_appointment_record(
            actor=admin, kind="company_member_on_party_committee", person_name=person_name(80_000 + i),
            community=community, started_on=datetime.date(2024, 3 + i % 9, 1), company=company,
            party_org=org_by_area[community.pk],
        )
        created["cross-appointments"] += 1

    # --- major-decision pre-reports ------------------------------------------------------
    owners = [c for c in committee_objs if c.kind == "owners"]
    with demo_clock(_at(today - datetime.timedelta(days=90))) as fake:
        for i, (kind, title, amount) in enumerate(plans.DECISIONS):
            committee = owners[(i * 7) % len(owners)]
            decision_on = today - datetime.timedelta(days=60 - i * 6)
            late = i in (4, 9)
            fake.current = _at(decision_on + datetime.timedelta(days=3 if late else -10 - i % 5))
            report = committees_svc.decision_report_file(
                actor=admin, committee=committee, kind=kind, title=title, decision_on=decision_on,
                description=f"{committee.name}拟于{decision_on:%Y年%m月%d日}召开业主大会表决：{title}。",
                amount_yuan=Decimal(amount) if amount else None,
            )
            created["decision pre-reports"] += 1
            if fake.current.date() >= today - datetime.timedelta(days=2):
                continue  # recent ones wait for the community
            fake.current += datetime.timedelta(days=2)
            if i % 5 == 3:
                committees_svc.decision_report_object(
                    actor=admin, report=report, note="维修资金使用方案未附三家以上报价，请补充后重新报告。")
            elif i % 3 != 2:
                committees_svc.decision_report_acknowledge(actor=admin, report=report, note="已收悉，社区将派员列席业主大会。")

    # --- disputes --------------------------------------------------------------------------
    codes = sorted(compounds)
    with demo_clock(_at(today - datetime.timedelta(days=700))) as fake:
        for n in range(plans.DISPUTES):
            code = codes[_h("dispute", n) % len(codes)]
            day = today - datetime.timedelta(days=5 + (_h("dday", n) % 690))
            fake.current = _at(day, 16)
            h = _h("outcome", n)
            residents_svc.dispute_record(
                actor=admin, compound=compounds[code], company=company_of.get(code),
                subject=plans.DISPUTE_SUBJECTS[h % len(plans.DISPUTE_SUBJECTS)],
                parties=plans.DISPUTE_PARTIES[(h >> 4) % len(plans.DISPUTE_PARTIES)].format(b=1 + h % 9),
                outcome="resolved" if h % 10 < 8 else ("partly" if h % 10 == 8 else "referred"),
                mediated_on=day,
            )
            created["disputes"] += 1

    # --- households and one closed, published rating period ---------------------------------
    year, half = last_closed_half(today)
    opens = datetime.date(year, 6 if half == 1 else 12, 1)
    households = {}
    for code in sorted(company_of):
        lines = "\n".join(
            f"{b},{u},{f}0{r}" for b in (1, 2, 3) for u in (1, 2) for f in (1, 2) for r in (1, 2)
        )[: 10_000]
        residents_svc.households_bulk_create(actor=admin, compound=compounds[code], lines=lines)
    from ..models import Household

    for household in Household.objects.filter(compound__code__in=list(company_of)).order_by("pk"):
        households.setdefault(household.compound.code, []).append(household)
    created["households"] = sum(len(v) for v in households.values())
    thin = {p.key for p in company_plans[-plans.THIN_SAMPLE_COMPANIES:]}
    with demo_clock(_at(opens, 0)) as fake:
        period = ratings_svc.period_create(actor=admin, district=county, year=year, half=half)
        fake.current = _at(opens, 1)
        ratings_svc.period_open(actor=admin, period=period)
        for plan in company_plans:
            company = companies[plan.key]
            quality = _h("quality", plan.key) % 30  # 0 best … 29 worst
            for code in plan.compounds:
                if modes[code] == "emergency":
                    continue  # the emergency companies came after the rated half year
                rating_households = households[code]
                share = 4 if plan.key in thin else 18
                for k, household in enumerate(rating_households[:share]):
                    fake.current = _at(opens + datetime.timedelta(days=k % 30), 9 + k % 10)
                    stars = [max(1, min(5, 5 - (quality + _h("a", household.pk, a)) % 33 // 9)) for a in range(5)]
                    residents_svc.owner_rating_submit(
                        period=period, code=household.code, service=stars[0], cleanliness=stars[1],
                        security=stars[2], maintenance=stars[3], transparency=stars[4],
                    )
                    created["owners' ratings"] += 1
                fake.current = _at(opens + datetime.timedelta(days=25))
                items = {item.code: item.max_points - (quality + _h("i", code, item.code)) % (item.max_points // 3 + 1)
                         for item in _checklist()}
                ratings_svc.inspection_record(
                    actor=admin, period=period, company=company, compound=compounds[code],
                    inspected_on=fake.current.date(), items=items,
                )
                created["quality inspections"] += 1
            rated = [c for c in plan.compounds if modes[c] != "emergency"]
            for community in sorted({community_of[c].pk for c in rated}):
                fake.current = _at(opens + datetime.timedelta(days=28))
                ratings_svc.org_review_submit(
                    actor=admin, period=period, company=company, area=areas[community],
                    score=Decimal(96 - quality - _h("r", plan.key, community) % 6),
                )
                created["organisation reviews"] += 1
        fake.current = period.closes_at + datetime.timedelta(minutes=5)
        ratings_svc.period_close(actor=None, period=period)
    result.period = f"{year} H{half}"


def _checklist():
    from ..checklist import CHECKLIST

    return CHECKLIST
