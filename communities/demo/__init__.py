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

The package: :mod:`.names` (deterministic generators), :mod:`.specs` (codes, figures
and the spec classes), :mod:`.places` (the three places and the logins),
:mod:`.loader` (:func:`load_demo`). Micro-wishes for the demo are in
:mod:`wishes.demo`.
"""

from .loader import DEFAULT_PASSWORD, LoadResult, load_demo
from .names import cn, make_credit_code, person_name, spread
from .places import FENYI_STREETS, LESHAN_STREETS, LOGINS, build_demo_data
from .specs import (
    FENYI_CODE,
    FENYI_COMMUNITIES,
    FENYI_COMPOUNDS,
    LESHAN_CODE,
    LESHAN_GRIDS,
    LESHAN_OLD_COMPOUNDS,
    ROOT_CODES,
    WENSHANG_COUNTY_CODE,
    WENSHANG_ENTERPRISES,
    WENSHANG_GRIDS,
    WENSHANG_ZONE_CODE,
    AreaSpec,
    DemoData,
    EnterpriseSpec,
    LoginSpec,
    OrgSpec,
    PostSpec,
    org_key,
)

__all__ = [
    "DEFAULT_PASSWORD", "FENYI_CODE", "FENYI_COMMUNITIES", "FENYI_COMPOUNDS", "FENYI_STREETS",
    "LESHAN_CODE", "LESHAN_GRIDS", "LESHAN_OLD_COMPOUNDS", "LESHAN_STREETS", "LOGINS",
    "ROOT_CODES", "WENSHANG_COUNTY_CODE", "WENSHANG_ENTERPRISES", "WENSHANG_GRIDS",
    "WENSHANG_ZONE_CODE", "AreaSpec", "DemoData", "EnterpriseSpec", "LoadResult", "LoginSpec",
    "OrgSpec", "PostSpec", "build_demo_data", "cn", "load_demo", "make_credit_code", "org_key",
    "person_name", "spread",
]
