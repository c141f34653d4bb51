"""Deterministic generators for the demo: stable hashes, uneven spreads, Chinese
numerals, dates and coordinates, people's names, credit codes, and the unique place
names of each place's compounds and firms (no random module: hashes of the codes)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from decimal import Decimal

from governance.validators import USCC_ALPHABET, uscc_check_char


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



_WENSHANG_FIRMS = (
    "新光 海纬 泽祥 众达利 中银 鲁源 圣泽 宏达 金汶 汶阳 东岳 齐鲁 泰丰 瑞恒 华誉 恒信 昌盛 博瑞 "
    "宝龙 利源 如意 鑫源 凯瑞 汇丰 永泰 嘉禾 天元 中圣 佳和 信达"
).split()
_WENSHANG_TRADES = "纺织 机车 机械 服装 食品 包装 电子 新能源 生物科技 建材 精密制造 物流".split()
_WENSHANG_CHEMICAL_TRADES = "化工 电化 新材料 医药 环保科技 塑业".split()  # the chemical park
