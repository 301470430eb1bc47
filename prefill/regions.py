"""A compact GB/T 2260 table of administrative division codes (行政区划代码).

It holds every province-level code and the cities and districts the synthetic seed uses, which is
what the validators and the seed need offline. A deployment with the full national table extends
it at start-up with :func:`register_regions` (e.g. from the 民政部 published list) — nothing else
changes, because every caller goes through :func:`region_name` / :func:`is_known_region`.
"""

from __future__ import annotations

from collections.abc import Mapping

PROVINCES: dict[str, str] = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省", "150000": "内蒙古自治区",
    "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省", "310000": "上海市", "320000": "江苏省",
    "330000": "浙江省", "340000": "安徽省", "350000": "福建省", "360000": "江西省", "370000": "山东省",
    "410000": "河南省", "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省", "530000": "云南省",
    "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省", "630000": "青海省", "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区", "710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区",
}

CITIES: dict[str, str] = {
    "110100": "市辖区", "310100": "市辖区", "440100": "广州市", "440300": "深圳市", "330100": "杭州市",
    "320100": "南京市", "510100": "成都市", "420100": "武汉市", "630100": "西宁市", "350100": "福州市",
    "370100": "济南市", "610100": "西安市", "410100": "郑州市", "430100": "长沙市",
}

# Districts the seed places people, enterprises and property in, with a few real street names each.
DISTRICTS: dict[str, str] = {
    "110101": "东城区", "110105": "朝阳区", "110108": "海淀区",
    "310104": "徐汇区", "310115": "浦东新区",
    "440104": "越秀区", "440105": "海珠区", "440106": "天河区",
    "440304": "福田区", "440305": "南山区",
    "330102": "上城区", "330106": "西湖区",
    "320102": "玄武区", "320106": "鼓楼区",
    "510104": "锦江区", "510107": "武侯区",
    "420103": "江汉区", "420106": "武昌区",
    "630102": "城东区", "630104": "城西区",
    "350102": "鼓楼区",
    "370102": "历下区",
    "610113": "雁塔区",
    "410105": "金水区",
    "430104": "岳麓区",
}

# Province codes allowed as the first two digits of a resident ID number (GB 11643 uses the
# household-registration region at issue; 81/82/83 are the HK/Macao/Taiwan residence permits).
ID_PROVINCE_PREFIXES = frozenset({c[:2] for c in PROVINCES} | {"83"})

_TABLE: dict[str, str] = {**PROVINCES, **CITIES, **DISTRICTS}


def register_regions(codes: Mapping[str, str]) -> None:
    """Add codes (e.g. the full national table) so validation accepts them. Codes are 6 digits."""
    for code, name in codes.items():
        if len(code) != 6 or not code.isdigit() or not name:
            raise ValueError(f"region code {code!r} must be 6 digits with a name")
        _TABLE[code] = name


def is_known_region(code: str) -> bool:
    return code in _TABLE


def region_name(code: str) -> str:
    """Full name: 440106 → 广东省广州市天河区 (municipalities skip their 市辖区 level)."""
    if code not in _TABLE:
        raise KeyError(code)
    prov = _TABLE.get(code[:2] + "0000", "")
    if code.endswith("0000"):
        return prov
    city = _TABLE.get(code[:4] + "00", "")
    city = "" if city == "市辖区" else city
    if code.endswith("00"):
        return prov + city
    return prov + city + _TABLE[code]


def districts() -> list[str]:
    """District codes in the table, sorted: the seed draws from these."""
    return sorted(DISTRICTS)


def place_name(code: str | None) -> str:
    """What a person sees for a region code: the place's name (a code no table knows is shown as it is)."""
    if not code:
        return ""
    return region_name(code) if code in _TABLE else code


def place_choices(current: str | None = None) -> list[tuple[str, str]]:
    """(place name, code) for a place picker: every district- or county-level place in the table, by code
    (a registered national table extends it), plus the current value when it is a coarser known region."""
    codes = [c for c in sorted(_TABLE) if not c.endswith("00")]
    if current and current in _TABLE and current not in codes:
        codes.insert(0, current)
    return [(region_name(c), c) for c in codes]
