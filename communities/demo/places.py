"""The three places of the seed document, described as :class:`DemoData` specs:
乐山市市中区 (community scheme), 分宜县 (street scheme), 汶上经济开发区 (park scheme), and
the staff logins at every level. See the package docstring for the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from communities.models import AreaKind, EnterpriseKind

from .names import (
    _FENYI_OPTIONS,
    _LESHAN_OPTIONS,
    _LESHAN_ROADS,
    _WENSHANG_CHEMICAL_TRADES,
    _WENSHANG_FIRMS,
    _WENSHANG_TRADES,
    _coord,
    _date,
    _h,
    _namer,
    _road_fallback,
    cn,
    make_credit_code,
    spread,
)
from .specs import (
    FENYI_CODE,
    FENYI_COMPOUNDS,
    LESHAN_CODE,
    LESHAN_GRIDS,
    LESHAN_OLD_COMPOUNDS,
    WENSHANG_COUNTY_CODE,
    WENSHANG_ENTERPRISES,
    WENSHANG_ZONE_CODE,
    AreaSpec,
    DemoData,
    EnterpriseSpec,
    LoginSpec,
    org_key,
)

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
    LoginSpec("baiyang-street", "street_staff", f"{LESHAN_CODE}004"),
    LoginSpec("lingcheng-street", "street_staff", f"{FENYI_CODE}001"),
    LoginSpec("wenshang-zone", "street_staff", WENSHANG_ZONE_CODE),
    LoginSpec("fujie-community", "community_staff", f"{LESHAN_CODE}001001"),
    LoginSpec("haitang-community", "community_staff", f"{LESHAN_CODE}001002"),
    LoginSpec("banzhuwan-community", "community_staff", f"{LESHAN_CODE}002001"),
    LoginSpec("baiyang-community", "community_staff", f"{LESHAN_CODE}004001"),
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
