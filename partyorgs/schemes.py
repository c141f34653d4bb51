"""The three hierarchy schemes of the seed document (DOMAIN.md §1).

Loaded by a data migration, so every database has them; the demo loader reuses
the codes.
"""

LESHAN = "leshan-community"
FENYI = "fenyi-street"
WENSHANG = "wenshang-park"

SCHEMES = [
    {
        "code": LESHAN,
        "name": "社区党委 → 网格小区党组织 → 楼栋党小组 → 党员中心户",
        "description": "乐山市市中区: community party committee, grid-compound party organisations, "
        "building party groups, party-member households.",
        "levels": [
            (1, "社区党委", "community"),
            (2, "网格小区党组织", "grid"),
            (3, "楼栋党小组", "building"),
            (4, "党员中心户", "building"),
        ],
    },
    {
        "code": FENYI,
        "name": "街道党工委 → 社区党组织 → 小区（网格）党支部 → 党员中心户",
        "description": "分宜县: street party working committee, community party organisations, "
        "compound (grid) party branches, party-member households.",
        "levels": [
            (1, "街道党工委", "street"),
            (2, "社区党组织", "community"),
            (3, "小区（网格）党支部", "compound"),
            (4, "党员中心户", "building"),
        ],
    },
    {
        "code": WENSHANG,
        "name": "开发区党工委 → 综合党委 → 网格党总支 → 两新组织党组织",
        "description": "汶上经济开发区: zone party working committee, comprehensive party committee, "
        "grid party general branches, party organisations of new economic and social organisations.",
        "levels": [
            (1, "开发区党工委", "zone"),
            (2, "综合党委", "zone"),
            (3, "网格党总支", "grid"),
            (4, "两新组织党组织", "enterprise"),
        ],
    },
]
