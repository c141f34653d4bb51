"""What the property demo holds, as plain data computed from the Fenyi compounds'
codes (deterministic: stable hashes, no random module)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from communities.demo.names import _h, person_name

COMPANY_COUNT = 31  # the seed: 31 companies, all with a party organisation
SERVED = 51  # 208 compounds − 157 without a company
COMPANYLESS = {  # the seed's five modes for the 157 compounds without a company
    "agency": 38,
    "area_wide": 34,
    "bundled": 29,
    "fallback": 36,
    "self_managed": 20,
}
TRUST, EMERGENCY = 4, 2  # of the 51 served compounds; the rest professional
MEMBERS, PARTY_MEMBERS = 992, 631  # the seed's 631 party members, 63.6 %
COMMITTEE_SIZE = 8
CADRES_ON_COMMITTEES = 14
COMPANY_MEMBERS_ON_PARTY_COMMITTEES = 19
DISPUTES = 460  # the seed: 450+ disputes mediated
HOUSEHOLDS_PER_COMPOUND = 24
THIN_SAMPLE_COMPANIES = 2  # rated by too few households: "insufficient sample"

COMPANY_STEMS = (
    "钤山", "昌山", "袁河", "铃城", "锦绣", "恒安", "嘉和", "鸿运", "绿城", "万家", "和美",
    "盛世", "康居", "安居", "佳园", "仁和", "祥瑞", "兴业", "众诚", "德润", "金阳", "宏达",
    "新宇", "顺安", "华庭", "凤凰", "银河", "瑞祥", "永安", "东方", "信达",
)
DISPUTE_SUBJECTS = (
    "物业费收缴争议", "电梯维修费用分摊", "楼道堆物清理", "停车位使用纠纷", "外墙渗水维修",
    "绿化带占用", "维修资金使用", "噪音扰民", "宠物管理", "小区门禁收费",
)
DISPUTE_PARTIES = (
    "{b}栋业主与物业公司", "{b}栋上下楼住户", "业委会与物业公司", "部分业主与物业公司",
    "{b}栋业主与相邻商户",
)
DECISIONS = (
    ("change_company", "选聘新的物业服务企业", None),
    ("repair_fund", "使用专项维修资金更换电梯", "186000.00"),
    ("fee_change", "调整物业服务费标准", None),
    ("repair_fund", "使用维修资金维修屋面防水", "64000.00"),
    ("common_parts", "公共车位收益使用方案", "23000.00"),
    ("repair_fund", "更换二次供水设备", "92000.00"),
    ("other", "增设电动车充电棚", "38000.00"),
    ("fee_change", "停车管理费调整", None),
    ("change_company", "续聘物业服务企业", None),
    ("repair_fund", "外墙保温层修复", "128000.00"),
    ("common_parts", "广告位收益分配", "15000.00"),
    ("other", "小区监控系统改造", "56000.00"),
)


@dataclass
class CompanyPlan:
    key: str
    name: str
    compounds: list[str] = field(default_factory=list)  # compound codes


@dataclass
class CommitteePlan:
    name: str
    kind: str
    community: str  # community code
    compounds: list[str]
    term_started_on: datetime.date
    term_ends_on: datetime.date
    members: list[tuple[str, str, bool, bool]] = field(default_factory=list)  # name, role, party, cadre


def ranked(codes: list[str], salt: str) -> list[str]:
    return sorted(codes, key=lambda c: (_h(salt, c), c))


def plan_modes(compounds: list[str]) -> tuple[dict[str, str], list[CompanyPlan]]:
    """Mode per compound code, and the companies with the compounds they serve."""
    order = ranked(compounds, "served")
    served, rest = order[:SERVED], order[SERVED:]
    modes: dict[str, str] = {}
    for i, code in enumerate(sorted(served)):
        modes[code] = "trust" if i % 13 == 5 and i < 13 * TRUST else "professional"
    for code in sorted(served)[-EMERGENCY:]:
        modes[code] = "emergency"
    start = 0
    for mode, count in COMPANYLESS.items():
        for code in sorted(rest)[start:start + count]:
            modes[code] = mode
        start += count
    companies = [
        CompanyPlan(key=f"PC{i + 1:02d}", name=f"分宜县{stem}物业服务有限公司")
        for i, stem in enumerate(COMPANY_STEMS[:COMPANY_COUNT])
    ]
    for i, code in enumerate(sorted(served, key=lambda c: (_h("company", c), c))):
        companies[i % COMPANY_COUNT].compounds.append(code)
    return modes, companies


def plan_committees(compounds_by_community: dict[str, list[str]], modes: dict[str, str],
                    today: datetime.date) -> list[CommitteePlan]:
    """124 committees of 8 (992 members, 631 party members, 14 community cadres)."""
    count = MEMBERS // COMMITTEE_SIZE
    plans: list[CommitteePlan] = []
    groups: list[tuple[str, list[str]]] = []
    for community, codes in sorted(compounds_by_community.items()):
        served = [c for c in codes if modes[c] in ("professional", "trust", "emergency")]
        other = [c for c in codes if c not in served]
        groups += [(community, [c]) for c in served]
        # Small company-less compounds share a self-management committee in pairs.
        groups += [(community, other[i:i + 2]) for i in range(0, len(other), 2)]
    groups = sorted(groups, key=lambda g: (_h("committee", g[1][0]), g[1][0]))[:count]
    for n, (community, codes) in enumerate(sorted(groups, key=lambda g: g[1][0])):
        served = modes[codes[0]] in ("professional", "trust", "emergency")
        h = _h("term", codes[0])
        started = datetime.date(2021 + h % 4, 1 + (h >> 4) % 12, 1 + (h >> 8) % 28)
        ends = started.replace(year=started.year + 5)
        # A few terms end soon or have ended, so re-election reminders show.
        offset = {3: 20, 17: 60, 29: 85, 41: -12, 57: -45}.get(n)
        if offset is not None:
            ends = today + datetime.timedelta(days=offset)
            started = ends.replace(year=ends.year - 5)
        plans.append(CommitteePlan(
            name="", kind="owners" if served else "self_management", community=community,
            compounds=codes, term_started_on=started, term_ends_on=ends,
        ))
    # Members: 8 each; party members and community cadres picked by hash so the totals
    # are exact.
    slots = [(i, j) for i in range(len(plans)) for j in range(COMMITTEE_SIZE)]
    party = set(sorted(slots, key=lambda s: _h("party", *s))[:PARTY_MEMBERS])
    directors = [(i, 0) for i in range(len(plans))]
    cadres = set(sorted(directors[1:], key=lambda s: _h("cadre", *s))[:CADRES_ON_COMMITTEES])
    for i, committee in enumerate(plans):
        for j in range(COMMITTEE_SIZE):
            role = "director" if j == 0 else "deputy" if j in (1, 2) else "member"
            committee.members.append((person_name(50_000 + i * COMMITTEE_SIZE + j), role,
                                      (i, j) in party, (i, j) in cadres))
    return plans
