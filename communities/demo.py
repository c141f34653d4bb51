"""Demo data: the three places of the seed document, at their real size.

* 乐山市市中区 (district): 5 streets, 40 communities (海棠街道 has 17, one per
  "微心愿" mailbox of the seed), 160 grids (网格小区) holding the seed's 810 old
  compounds, a few buildings; scheme ``leshan-community``: a 社区党委 per community,
  a 网格小区党组织 per grid (so 100 % of the compounds are covered), 楼栋党小组 and
  党员中心户 on some buildings. Most grid secretaries are residents (居民书记); some
  are community cadres, three of whom hold several secretary posts at once (the
  idling risk the seed describes); a number of grids show the 2024 hand-over from a
  cadre to a resident secretary as an ended post.
* 分宜县 (county): 3 streets, 16 communities, 208 compounds; scheme ``fenyi-street``:
  街道党工委 → 社区党组织 → 小区党支部 (one per compound, 100 %) → 党员中心户.
* 汶上县 / 汶上经济开发区 (zone): 6 grids (4 in the core area, 2 in the chemical
  park), 76 enterprises (private firms and social organisations, valid credit codes);
  scheme ``wenshang-park``: 开发区党工委 → 综合党委 → 网格党总支 (the six leaders who
  head the grids) → a 两新组织党组织 in each enterprise.
* Staff logins at every level (:data:`LOGINS`).

Everything is generated deterministically (no random module: hashes of the codes),
keyed on stable codes, and :func:`load_demo` only inserts what is missing, so a second
run creates nothing. Street and community names other than the seed's are invented.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from governance.validators import USCC_ALPHABET, uscc_check_char

from . import bulk
from .models import Area, AreaKind, Enterprise, EnterpriseKind, Person

DEFAULT_PASSWORD = "demo-pass-2026"

LESHAN_CODE = "511102"
FENYI_CODE = "360521"
WENSHANG_COUNTY_CODE = "370830"
WENSHANG_ZONE_CODE = "370830-KFQ"
ROOT_CODES = (LESHAN_CODE, FENYI_CODE, WENSHANG_COUNTY_CODE)

# Headline figures of the seed, asserted by the loader's own tests.
LESHAN_GRIDS = 160
LESHAN_OLD_COMPOUNDS = 810
FENYI_COMMUNITIES = 16
FENYI_COMPOUNDS = 208
WENSHANG_GRIDS = 6
WENSHANG_ENTERPRISES = 76


# --- Deterministic helpers ----------------------------------------------------------


def _h(*parts) -> int:
    """A stable hash (unlike ``hash()``, the same in every process)."""
    data = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def spread(total: int, keys: list[str], *, minimum: int = 1) -> list[int]:
    """Split ``total`` over ``keys`` unevenly but deterministically, each ≥ ``minimum``."""
    rest = total - minimum * len(keys)
    if rest < 0:
        raise ValueError("total too small")
    weights = [0.5 + (_h("w", k) % 1000) / 1000 for k in keys]
    scale = rest / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(keys)), key=lambda i: (raw[i] - counts[i], -i), reverse=True)
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


_CN_DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numeral for 1..99: 1 → 一, 10 → 十, 12 → 十二, 25 → 二十五."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (_CN_DIGITS[tens] if tens > 1 else "") + "十" + (_CN_DIGITS[ones] if ones else "")


def _date(key, first_year: int, last_year: int) -> datetime.date:
    h = _h("date", key)
    return datetime.date(first_year + h % (last_year - first_year + 1), 1 + (h >> 8) % 12, 1 + (h >> 16) % 28)


def _coord(base: str, key, spread_deg: float) -> Decimal:
    offset = ((_h("geo", key) % 20001) - 10000) / 10000 * spread_deg
    return (Decimal(base) + Decimal(str(round(offset, 6)))).quantize(Decimal("0.000001"))


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
)
_GIVEN_CHARS = "建国华明丽芳军平英秀兰玉桂红梅志强伟勇敏静霞俊杰涛斌海波云燕琴春文德成福荣庆林刚"
_GIVEN = list(_GIVEN_CHARS) + [a + b for a in _GIVEN_CHARS for b in _GIVEN_CHARS if a != b]


def person_name(i: int) -> str:
    """The i-th of len(surnames) × len(given names) distinct names, shuffled by a stride."""
    size = len(_SURNAMES) * len(_GIVEN)
    j = (i * 7919 + 123) % size  # 7919 is prime and does not divide the size
    return _SURNAMES[j % len(_SURNAMES)] + _GIVEN[j // len(_SURNAMES)]


def make_credit_code(prefix: str, area_code: str, key) -> str:
    """A valid 统一社会信用代码: registration authority and type (e.g. ``91`` company,
    ``51`` social group), 6-digit division code, 9-character organisation code, check."""
    h = _h("uscc", key)
    org = ""
    for _ in range(7):
        h, r = divmod(h, len(USCC_ALPHABET))
        org += USCC_ALPHABET[r]
    body = f"{prefix}{area_code}{'MA' if prefix.startswith('9') else 'MJ'}{org}"
    return body + uscc_check_char(body)


# --- Specs ---------------------------------------------------------------------------


@dataclass
class AreaSpec:
    code: str
    kind: str
    name: str
    parent: str | None
    fields: dict = field(default_factory=dict)


@dataclass
class EnterpriseSpec:
    credit_code: str
    name: str
    kind: str
    area: str
    employees: int
    address: str = ""


@dataclass
class OrgSpec:
    key: str
    scheme: str
    level: int
    name: str
    parent: str | None
    area: str | None = None
    enterprise: str | None = None
    founded_on: datetime.date | None = None


@dataclass
class PostSpec:
    org: str
    person: tuple[str, str]  # (name, area code)
    role: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    lives_in_unit: bool = False
    is_community_cadre: bool = False


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str | None  # a governance.models.RoleKind value; None for the superuser
    area: str | None


def org_key(scheme: str, level: int, unit: str) -> str:
    return f"{scheme}:{level}:{unit}"


@dataclass
class DemoData:
    areas: list[AreaSpec] = field(default_factory=list)
    enterprises: list[EnterpriseSpec] = field(default_factory=list)
    orgs: list[OrgSpec] = field(default_factory=list)
    people: dict[tuple[str, str], bool] = field(default_factory=dict)  # key → party member
    posts: list[PostSpec] = field(default_factory=list)
    _names: int = 0

    def area(self, code, kind, name, parent, **fields) -> AreaSpec:
        spec = AreaSpec(code, kind, name, parent, fields)
        self.areas.append(spec)
        return spec

    def org(self, scheme, level, name, parent, *, area=None, enterprise=None, founded_on=None) -> str:
        key = org_key(scheme, level, area or f"E{enterprise}")
        self.orgs.append(OrgSpec(key, scheme, level, name, parent, area, enterprise, founded_on))
        return key

    def person(self, area_code: str, *, party_member: bool = True) -> tuple[str, str]:
        """A new person with a name no one else in the demo has."""
        key = (person_name(self._names), area_code)
        self._names += 1
        self.people[key] = party_member
        return key

    def post(self, org, person, role="secretary", **kw) -> None:
        self.posts.append(PostSpec(org, person, role, **kw))


# --- Name generators ---------------------------------------------------------------


def _unique_names(options: list[str], fallback) -> Iterator[str]:
    """Generator with ``send(key)``: a name chosen by the key's hash, never repeated."""
    used: set[str] = set()
    name = None
    while True:
        key = yield name
        h = _h("name", key)
        for step in range(len(options)):
            candidate = options[(h + step) % len(options)]
            if candidate not in used:
                break
        else:
            n = 1
            while (candidate := fallback(h, n)) in used:
                n += 1
        used.add(candidate)
        name = candidate


def _namer(options, fallback):
    gen = _unique_names(options, fallback)
    next(gen)
    return gen.send


_LESHAN_WORK_UNITS = (
    "棉纺厂 丝绸厂 机床厂 水泥厂 电机厂 农机厂 印刷厂 造纸厂 酒厂 化肥厂 磷肥厂 食品厂 木材公司 "
    "粮食局 交通局 供销社 百货公司 二运司 自来水公司 电力公司 邮电局 电信局 建设银行 工商银行 "
    "农业银行 人民医院 中医院 妇幼保健院 师范学校 一中 二中 税务局 工商局 公安局 法院 检察院 "
    "文化馆 卫生局 教育局 林业局 水电局 五金公司 糖酒公司 药材公司 蔬菜公司 煤建公司 物资局 "
    "航运公司 搬运公司 川运公司"
).split()
_LESHAN_PLACES = (
    "嘉州 凌云 乌尤 大佛 岷江 青衣 沫若 月咡塘 白塔 铁牛 嘉定 箱子坝 桂花楼 玉堂 紫云 海棠 柏杨 "
    "府街 县街 土桥 鼓楼 较场坝 萧公嘴 迎春 人民 东大 学道 金花 竹公溪 龙游 鹤鸣 碧山 张公桥 "
    "通江 泊水 肖坝 牛耳桥 斑竹湾 万佛 老霄顶 高北门 水井冲 叮咚 王浩儿 桂花 荔枝湾 育贤 春华 "
    "秋实 文星"
).split()
_LESHAN_ROADS = (
    "嘉定北路 嘉定中路 嘉定南路 人民南路 人民西路 滨江路 县街 土桥街 玉堂街 东大街 白塔街 "
    "紫云街 府街 学道街 鼓楼街 半边街 新村街 凤凰路 龙游路 柏杨东路"
).split()
_LESHAN_OPTIONS = (
    [u + s for u in _LESHAN_WORK_UNITS for s in ("宿舍", "家属院", "职工宿舍")]
    + [p + s for p in _LESHAN_PLACES for s in ("小区", "院落", "新村", "苑", "公寓", "花园", "大院")]
    + [f"{r}{n}号院" for r in _LESHAN_ROADS for n in range(1, 40, 2)]
)

_FENYI_STEMS = (
    "钤阳 铃城 昌山 袁河 介桥 凤凰 锦江 紫金 阳光 翠竹 东方 滨江 盛世 金色 和谐 幸福 书香 "
    "学府 中央 时代 名门 世纪 江南 龙湖 钤山 洋江 新城 湖泽 双林 杨桥"
).split()
_FENYI_OPTIONS = [
    s + t for s in _FENYI_STEMS
    for t in ("花园", "小区", "家园", "名苑", "华府", "雅苑", "公馆", "丽景", "嘉园", "新村")
]


def _road_fallback(roads):
    return lambda h, n: f"{roads[h % len(roads)]}{100 + n}号"


# --- 乐山市市中区 --------------------------------------------------------------------

LESHAN_STREETS = [
    ("001", "海棠街道", [
        "府街社区", "海棠社区", "县街社区", "玉堂社区", "土桥社区", "紫云社区", "鼓楼社区",
        "箱子坝社区", "白塔社区", "新村社区", "学道社区", "较场坝社区", "萧公嘴社区",
        "金花社区", "东大街社区", "桂花楼社区", "迎春社区",
    ]),
    ("002", "张公桥街道", [
        "斑竹湾社区", "张公桥社区", "碧山路社区", "龙游社区", "嘉定社区", "鹤鸣社区",
        "乌尤社区", "岷江社区",
    ]),
    ("003", "通江街道", ["通江社区", "凌云社区", "大佛社区", "青衣社区", "肖坝社区", "竹公溪社区"]),
    ("004", "柏杨街道", ["柏杨社区", "人民西社区", "月咡塘社区", "牛耳桥社区", "万佛社区"]),
    ("005", "泊水街街道", ["泊水街社区", "铁牛社区", "沫若社区", "嘉州社区"]),
]
# Community cadres who are secretary of several grids at once (多头兼任): community → grids.
LESHAN_CONCURRENT = {"海棠社区": 3, "张公桥社区": 2, "通江社区": 2}


def _leshan(data: DemoData) -> None:
    from partyorgs.schemes import LESHAN

    district = data.area(LESHAN_CODE, AreaKind.DISTRICT, "乐山市市中区", None,
                         address="四川省乐山市市中区", latitude=Decimal("29.552000"),
                         longitude=Decimal("103.765000"))
    compound_name = _namer(_LESHAN_OPTIONS, _road_fallback(_LESHAN_ROADS))
    communities = []
    for street_no, street_name, community_names in LESHAN_STREETS:
        street = data.area(f"{LESHAN_CODE}{street_no}", AreaKind.STREET, street_name, district.code)
        for i, name in enumerate(community_names, 1):
            communities.append(
                data.area(f"{street.code}{i:03d}", AreaKind.COMMUNITY, name, street.code,
                          address=f"乐山市市中区{street_name}{name}")
            )
    grid_counts = spread(LESHAN_GRIDS, [c.code for c in communities], minimum=2)
    grids: list[tuple[AreaSpec, AreaSpec]] = []
    for community, n_grids in zip(communities, grid_counts, strict=True):
        short = community.name.removesuffix("社区")
        for g in range(1, n_grids + 1):
            grids.append((community, data.area(
                f"{community.code}-G{g:02d}", AreaKind.GRID, f"{short}第{cn(g)}网格", community.code)))
    compound_counts = spread(LESHAN_OLD_COMPOUNDS, [g.code for _, g in grids], minimum=2)

    secretaries: dict[str, tuple[str, str]] = {}  # community code → its party secretary
    for community in communities:
        committee = data.org(LESHAN, 1, f"{community.name}党委", None, area=community.code,
                             founded_on=_date(community.code, 2003, 2012))
        secretaries[community.code] = data.person(community.code)
        data.post(committee, secretaries[community.code], is_community_cadre=True,
                  started_on=_date(("sec", community.code), 2019, 2022))

    concurrent_cadres: dict[str, tuple[str, str]] = {}
    for (community, grid), n_compounds in zip(grids, compound_counts, strict=True):
        grid_no = int(grid.code.rsplit("-G", 1)[1])
        compounds = []
        for c in range(1, n_compounds + 1):
            code = f"{grid.code}-C{c:02d}"
            if community.name == "斑竹湾社区" and grid_no == 1 and c == 1:
                name = "88公寓"  # the seed's compound with the property dispute
            else:
                name = compound_name(code)
            h = _h("compound", code)
            compounds.append(data.area(
                code, AreaKind.COMPOUND, name, grid.code,
                is_old_compound=True, build_year=1980 + h % 21, households=24 + h % 280,
                address=f"乐山市市中区{name}",
                latitude=_coord("29.552", code, 0.05), longitude=_coord("103.765", code, 0.06),
            ))
        grid_org = data.org(LESHAN, 2, f"{grid.name}小区党支部",
                            org_key(LESHAN, 1, community.code), area=grid.code,
                            founded_on=_date(grid.code, 2019, 2023))
        _leshan_grid_secretary(data, community, grid, grid_no, compounds, grid_org,
                               secretaries[community.code], concurrent_cadres)
        for compound in compounds:
            _leshan_buildings(data, community, compound, grid_org)


def _leshan_grid_secretary(data, community, grid, grid_no, compounds, grid_org, community_secretary,
                           concurrent_cadres):
    reform = datetime.date(2024, 5, 1)  # the 2024 drive for resident secretaries
    n_concurrent = LESHAN_CONCURRENT.get(community.name, 0)
    if grid_no <= n_concurrent:
        # One cadre of the community holds the secretary post of its first grids.
        if community.code not in concurrent_cadres:
            concurrent_cadres[community.code] = data.person(community.code)
        data.post(grid_org, concurrent_cadres[community.code], started_on=datetime.date(2022, 3, 1), is_community_cadre=True)
        return
    if _h("cadre", grid.code) % 16 == 0 and community.name != "府街社区":
        # A community cadre holding this one post (府街社区 has only 邻里书记).
        data.post(grid_org, data.person(community.code), started_on=_date(grid.code, 2021, 2023),
                  is_community_cadre=True)
        return
    resident = data.person(compounds[_h("home", grid.code) % len(compounds)].code)
    if _h("handover", grid.code) % 4 == 0:
        # Until the reform the community's party secretary held the post too.
        data.post(grid_org, community_secretary, started_on=datetime.date(2021, 3, 1),
                  ended_on=reform - datetime.timedelta(days=1), is_community_cadre=True)
        data.post(grid_org, resident, started_on=reform, lives_in_unit=True)
    else:
        data.post(grid_org, resident, started_on=_date(("res", grid.code), 2020, 2024),
                  lives_in_unit=True)


def _leshan_buildings(data, community, compound, grid_org):
    from partyorgs.schemes import LESHAN

    h = _h("buildings", compound.code)
    if not (compound.name == "88公寓" or community.name == "府街社区" or h % 3 == 0):
        return
    n_buildings = 2 + h % 5
    for b in range(1, n_buildings + 1):
        building = data.area(f"{compound.code}-B{b:02d}", AreaKind.BUILDING, f"{b}栋", compound.code,
                             households=12 + _h("hh", compound.code, b) % 36)
        if b > 2:
            continue
        group = data.org(LESHAN, 3, f"{compound.name}{b}栋党小组", grid_org, area=building.code,
                         founded_on=_date(building.code, 2022, 2024))
        data.post(group, data.person(building.code), started_on=_date(("g", building.code), 2022, 2024),
                  lives_in_unit=True)
        if b == 1 and h % 2 == 0:
            household = data.org(LESHAN, 4, f"{compound.name}{b}栋党员中心户", group,
                                 area=building.code, founded_on=_date(("h", building.code), 2023, 2024))
            data.post(household, data.person(building.code), role="member",
                      started_on=_date(("hs", building.code), 2023, 2024), lives_in_unit=True)


# --- 分宜县 --------------------------------------------------------------------------

FENYI_STREETS = [
    ("001", "铃城街道", ["城东社区", "城南社区", "府前社区", "钤阳社区", "东门社区", "锦绣社区"]),
    ("002", "钤山街道", ["钤山社区", "昌山社区", "凤凰社区", "新城社区", "建设社区"]),
    ("003", "袁河街道", ["袁河社区", "介桥社区", "红星社区", "北门社区", "江口社区"]),
]


def _fenyi(data: DemoData) -> None:
    from partyorgs.schemes import FENYI

    county = data.area(FENYI_CODE, AreaKind.COUNTY, "分宜县", None, address="江西省新余市分宜县",
                       latitude=Decimal("27.814000"), longitude=Decimal("114.692000"))
    compound_name = _namer(_FENYI_OPTIONS, _road_fallback(["钤山大道", "昌山路", "袁河大道", "铃城大道"]))
    communities = []
    for street_no, street_name, community_names in FENYI_STREETS:
        street = data.area(f"{FENYI_CODE}{street_no}", AreaKind.STREET, street_name, county.code)
        street_org = data.org(FENYI, 1, f"{street_name}党工委", None, area=street.code,
                              founded_on=_date(street.code, 2010, 2015))
        data.post(street_org, data.person(street.code), started_on=_date(("s", street.code), 2020, 2022))
        for i, name in enumerate(community_names, 1):
            community = data.area(f"{street.code}{i:03d}", AreaKind.COMMUNITY, name, street.code,
                                  address=f"分宜县{street_name}{name}")
            communities.append((community, street_org))
    compound_counts = spread(FENYI_COMPOUNDS, [c.code for c, _ in communities], minimum=8)
    for (community, street_org), n_compounds in zip(communities, compound_counts, strict=True):
        kind = "党委" if n_compounds > 13 else "党总支"
        community_org = data.org(FENYI, 2, f"{community.name}{kind}", street_org, area=community.code,
                                 founded_on=_date(community.code, 2012, 2018))
        cadre = data.person(community.code)
        data.post(community_org, cadre, started_on=_date(("c", community.code), 2019, 2022),
                  is_community_cadre=True)
        for c in range(1, n_compounds + 1):
            code = f"{community.code}-C{c:03d}"
            name = compound_name(code)
            h = _h("compound", code)
            year = 1988 + h % 35
            data.area(
                code, AreaKind.COMPOUND, name, community.code,
                is_old_compound=year < 2000, build_year=year, households=60 + h % 900,
                address=f"分宜县{name}",
                latitude=_coord("27.814", code, 0.03), longitude=_coord("114.692", code, 0.04),
            )
            branch = data.org(FENYI, 3, f"{name}党支部", community_org, area=code,
                              founded_on=_date(code, 2020, 2023))
            if c <= 2 and community.name in {"城东社区", "钤山社区"}:
                # The community secretary also leads two compound branches.
                data.post(branch, cadre, started_on=datetime.date(2022, 6, 1), is_community_cadre=True)
            else:
                data.post(branch, data.person(code), started_on=_date(("b", code), 2020, 2024),
                          lives_in_unit=True)
            if h % 4 == 0:
                for b in range(1, 2 + h % 4):
                    building = data.area(f"{code}-B{b:02d}", AreaKind.BUILDING, f"{b}栋", code,
                                         households=18 + _h("hh", code, b) % 90)
                    if b == 1:
                        household = data.org(FENYI, 4, f"{name}{b}栋党员中心户", branch,
                                             area=building.code,
                                             founded_on=_date(building.code, 2022, 2024))
                        data.post(household, data.person(building.code), role="member",
                                  started_on=_date(("m", building.code), 2022, 2024),
                                  lives_in_unit=True)


# --- 汶上经济开发区 -------------------------------------------------------------------

WENSHANG_GRID_NAMES = [
    "核心区第一网格", "核心区第二网格", "核心区第三网格", "核心区第四网格",
    "化工园区第一网格", "化工园区第二网格",
]
_WENSHANG_FIRMS = (
    "新光 海纬 泽祥 众达利 中银 鲁源 圣泽 宏达 金汶 汶阳 东岳 齐鲁 泰丰 瑞恒 华誉 恒信 昌盛 博瑞 "
    "宝龙 利源 如意 鑫源 凯瑞 汇丰 永泰 嘉禾 天元 中圣 佳和 信达"
).split()
_WENSHANG_TRADES = "纺织 机车 机械 服装 食品 包装 电子 新能源 生物科技 建材 精密制造 物流".split()
_WENSHANG_CHEMICAL_TRADES = "化工 电化 新材料 医药 环保科技 塑业".split()  # the chemical park
_WENSHANG_SOCIAL = [
    ("汶上县服装商会", "51"), ("汶上经济开发区企业联合会", "51"), ("汶上县物流协会", "51"),
    ("汶上县化工行业协会", "51"), ("汶上县园区职工服务中心", "52"), ("汶上县红帆社会工作服务中心", "52"),
]


def _wenshang(data: DemoData) -> None:
    from partyorgs.schemes import WENSHANG

    county = data.area(WENSHANG_COUNTY_CODE, AreaKind.COUNTY, "汶上县", None,
                       address="山东省济宁市汶上县", latitude=Decimal("35.732000"),
                       longitude=Decimal("116.489000"))
    zone = data.area(WENSHANG_ZONE_CODE, AreaKind.ZONE, "汶上经济开发区", county.code,
                     address="山东省济宁市汶上县经济开发区")
    committee = data.org(WENSHANG, 1, "汶上经济开发区党工委", None, area=zone.code,
                         founded_on=datetime.date(2006, 7, 1))
    data.post(committee, data.person(zone.code), started_on=datetime.date(2021, 9, 1))
    comprehensive = data.org(WENSHANG, 2, "汶上经济开发区综合党委", committee, area=zone.code,
                             founded_on=datetime.date(2020, 4, 1))
    data.post(comprehensive, data.person(zone.code), started_on=datetime.date(2020, 4, 1))

    grids = []
    for g, name in enumerate(WENSHANG_GRID_NAMES, 1):
        grid = data.area(f"{zone.code}-G{g:02d}", AreaKind.GRID, name, zone.code)
        branch = data.org(WENSHANG, 3, f"{name}党总支", comprehensive, area=grid.code,
                          founded_on=datetime.date(2022, 3, 1))
        # A member of the zone's leadership heads the grid (网格长) and its general branch.
        data.post(branch, data.person(zone.code), started_on=datetime.date(2022, 3, 1))
        grids.append((grid, branch))

    counts = spread(WENSHANG_ENTERPRISES, [g.code for g, _ in grids], minimum=8)
    firm_names = {
        chemical: _namer(
            [f"山东{a}{t}有限公司" for a in _WENSHANG_FIRMS for t in trades],
            lambda h, n, c=chemical: f"汶上县{'化工' if c else ''}第{n}实业有限公司",
        )
        for chemical, trades in ((False, _WENSHANG_TRADES), (True, _WENSHANG_CHEMICAL_TRADES))
    }
    social = iter(_WENSHANG_SOCIAL)
    number = 0
    for (grid, branch), n in zip(grids, counts, strict=True):
        for e in range(1, n + 1):
            number += 1
            key = f"{grid.code}-E{e:02d}"
            social_org = next(social, None) if e == n else None
            if social_org is not None:
                name, prefix = social_org
                kind = EnterpriseKind.SOCIAL_ORGANISATION
            else:
                chemical = grid.name.startswith("化工园区")
                name, prefix, kind = firm_names[chemical](key), "91", EnterpriseKind.PRIVATE_ENTERPRISE
            code = make_credit_code(prefix, WENSHANG_COUNTY_CODE, key)
            h = _h("employees", key)
            data.enterprises.append(EnterpriseSpec(
                code, name, kind, grid.code,
                employees=(8 + h % 40) if kind == EnterpriseKind.SOCIAL_ORGANISATION else 30 + h % 1200,
                address=f"汶上经济开发区{grid.name.removesuffix('网格')}片区{number}号",
            ))
            org = data.org(WENSHANG, 4, f"{name}党支部", branch, enterprise=code,
                           founded_on=_date(key, 2015, 2024))
            data.post(org, data.person(grid.code), started_on=_date(("e", key), 2019, 2024),
                      lives_in_unit=True)


# --- Logins ----------------------------------------------------------------------------

LOGINS = [
    LoginSpec("admin", None, None),
    LoginSpec("leshan-admin", "district_admin", LESHAN_CODE),
    LoginSpec("fenyi-admin", "district_admin", FENYI_CODE),
    LoginSpec("wenshang-admin", "district_admin", WENSHANG_COUNTY_CODE),
    LoginSpec("haitang-street", "street_staff", f"{LESHAN_CODE}001"),
    LoginSpec("zhanggongqiao-street", "street_staff", f"{LESHAN_CODE}002"),
    LoginSpec("lingcheng-street", "street_staff", f"{FENYI_CODE}001"),
    LoginSpec("wenshang-zone", "street_staff", WENSHANG_ZONE_CODE),
    LoginSpec("fujie-community", "community_staff", f"{LESHAN_CODE}001001"),
    LoginSpec("banzhuwan-community", "community_staff", f"{LESHAN_CODE}002001"),
    LoginSpec("chengdong-community", "community_staff", f"{FENYI_CODE}001001"),
    LoginSpec("fujie-grid", "grid_secretary", f"{LESHAN_CODE}001001-G01"),
    LoginSpec("wenshang-grid", "grid_secretary", f"{WENSHANG_ZONE_CODE}-G01"),
    LoginSpec("fujie-compound", "compound_secretary", f"{LESHAN_CODE}001001-G01-C01"),
    LoginSpec("banzhuwan-88", "compound_secretary", f"{LESHAN_CODE}002001-G01-C01"),
    LoginSpec("chengdong-compound", "compound_secretary", f"{FENYI_CODE}001001-C001"),
]


def build_demo_data() -> DemoData:
    data = DemoData()
    _leshan(data)
    _fenyi(data)
    _wenshang(data)
    return data


# --- Loading ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    created: dict[str, int]
    skipped: dict[str, int]
    logins: list[tuple[str, str, str]]  # username, role, area
    existing_logins: list[str]
    seconds: float

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _load_areas(data: DemoData, created: dict) -> dict[str, Area]:
    codes = [spec.code for spec in data.areas]
    by_code: dict[str, Area] = {}
    for chunk in _chunks(codes):
        by_code.update((a.code, a) for a in Area.objects.filter(code__in=chunk))
    new = []
    for spec in data.areas:
        if spec.code in by_code:
            continue
        area = Area(code=spec.code, kind=spec.kind, name=spec.name, **spec.fields)
        area.parent = by_code[spec.parent] if spec.parent else None
        by_code[spec.code] = area
        new.append(area)
    created["areas"] = bulk.insert_areas(new)
    return by_code


def _load_enterprises(data: DemoData, areas: dict[str, Area], created: dict) -> dict[str, Enterprise]:
    codes = [spec.credit_code for spec in data.enterprises]
    by_code = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes).select_related("area")}
    new = []
    for spec in data.enterprises:
        if spec.credit_code in by_code:
            continue
        enterprise = Enterprise(
            credit_code=spec.credit_code, name=spec.name, kind=spec.kind, area=areas[spec.area],
            employees=spec.employees, address=spec.address,
        )
        by_code[spec.credit_code] = enterprise
        new.append(enterprise)
    created["enterprises"] = bulk.insert_enterprises(new)
    return by_code


def _existing_orgs(roots: list[Area]) -> dict[str, object]:
    from partyorgs.models import PartyOrganisation

    found = {}
    for root in roots:
        qs = PartyOrganisation.objects.filter(area__path__startswith=root.path).select_related(
            "scheme", "area", "covered_area", "covered_enterprise"
        ).order_by("pk")
        for org in qs:
            unit = org.covered_area.code if org.covered_area else f"E{org.covered_enterprise.credit_code}"
            found.setdefault(org_key(org.scheme.code, org.level, unit), org)
    return found


def _load_orgs(data, areas, enterprises, roots, created) -> dict[str, object]:
    from partyorgs.models import HierarchyScheme, PartyOrganisation

    schemes = {s.code: s for s in HierarchyScheme.objects.all()}
    by_key = _existing_orgs(roots)
    new = []
    for spec in data.orgs:
        if spec.key in by_key:
            continue
        org = PartyOrganisation(
            scheme=schemes[spec.scheme], level=spec.level, name=spec.name,
            covered_area=areas[spec.area] if spec.area else None,
            covered_enterprise=enterprises[spec.enterprise] if spec.enterprise else None,
            founded_on=spec.founded_on,
        )
        org.parent = by_key[spec.parent] if spec.parent else None
        by_key[spec.key] = org
        new.append(org)
    created["party_orgs"] = bulk.insert_party_orgs(new)
    return by_key


def _load_people(data, areas, roots, created) -> dict[tuple[str, str], Person]:
    by_key: dict[tuple[str, str], Person] = {}
    for root in roots:
        for person in Person.objects.filter(area__path__startswith=root.path).select_related("area").order_by("pk"):
            by_key.setdefault((person.name, person.area.code), person)
    new = []
    for key, party_member in data.people.items():
        if key in by_key:
            continue
        person = Person(name=key[0], area=areas[key[1]], is_party_member=party_member)
        by_key[key] = person
        new.append(person)
    created["people"] = bulk.insert_people(new)
    return by_key


def _load_posts(data, orgs, people, roots, created, skipped) -> None:
    from partyorgs.models import Post, PostRole

    existing = set()
    sitting = set()
    for root in roots:
        for org_id, person_id, role, started_on, ended_on in Post.objects.filter(
            organisation__area__path__startswith=root.path
        ).values_list("organisation_id", "person_id", "role", "started_on", "ended_on"):
            existing.add((org_id, person_id, role, started_on))
            if role == PostRole.SECRETARY and ended_on is None:
                sitting.add(org_id)
    new = []
    skipped["posts"] = 0
    for spec in data.posts:
        org, person = orgs[spec.org], people[spec.person]
        if (org.pk, person.pk, spec.role, spec.started_on) in existing:
            continue
        if spec.role == PostRole.SECRETARY and spec.ended_on is None:
            if org.pk in sitting:
                # Someone else is secretary now (changed through the portal): leave it.
                skipped["posts"] += 1
                continue
            sitting.add(org.pk)
        new.append(Post(
            organisation=org, person=person, role=spec.role, started_on=spec.started_on,
            ended_on=spec.ended_on, lives_in_unit=spec.lives_in_unit,
            is_community_cadre=spec.is_community_cadre,
        ))
    created["posts"] = bulk.insert_posts(new)


def _area_label(area: Area, areas_by_pk: dict[int, Area]) -> str:
    names = [areas_by_pk[pk].name for pk in area.ancestor_ids if pk in areas_by_pk]
    return " › ".join([*names, area.name])


def _load_logins(areas: dict[str, Area], password: str, reset_passwords: bool, created: dict):
    from governance.models import StaffRole

    User = get_user_model()
    encoded = make_password(password)  # hashed once: PBKDF2 is slow by design
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in LOGINS])}
    existing_logins = sorted(users)
    created["users"] = created["staff_roles"] = 0
    areas_by_pk = {a.pk: a for a in areas.values()}
    rows = []
    for spec in LOGINS:
        user = users.get(spec.username)
        if user is None:
            user = User(username=spec.username, password=encoded,
                        is_superuser=spec.role is None, is_staff=spec.role is None)
            user.save()
            created["users"] += 1
        elif reset_passwords:
            user.password = encoded
            user.save(update_fields=["password"])
        if spec.role is None:
            rows.append((spec.username, "superuser", "—"))
            continue
        area = areas[spec.area]
        _, made = StaffRole.objects.get_or_create(user=user, area=area, role=spec.role)
        created["staff_roles"] += int(made)
        rows.append((spec.username, str(StaffRole.Role(spec.role).label), _area_label(area, areas_by_pk)))
    return rows, existing_logins


def load_demo(*, password: str = DEFAULT_PASSWORD, reset_passwords: bool = False) -> LoadResult:
    """Insert whatever of the demo is missing, in one transaction. Idempotent."""
    started = time.perf_counter()
    data = build_demo_data()
    created: dict[str, int] = {}
    skipped: dict[str, int] = {}
    with transaction.atomic():
        areas = _load_areas(data, created)
        roots = [areas[code] for code in ROOT_CODES]
        enterprises = _load_enterprises(data, areas, created)
        orgs = _load_orgs(data, areas, enterprises, roots, created)
        people = _load_people(data, areas, roots, created)
        _load_posts(data, orgs, people, roots, created, skipped)
        logins, existing_logins = _load_logins(areas, password, reset_passwords, created)
    return LoadResult(created, skipped, logins, existing_logins, time.perf_counter() - started)
