"""Names and codes of the demo county (博罗县, 441322) and word lists for synthetic places.

Street and town names are the county's real ones; division codes follow the national
pattern (county 6 digits + street 3 + community 3) but are not claimed to be official.
"""

from __future__ import annotations

COUNTY_CODE = "441322"
COUNTY_NAME = "博罗县"
COUNTY_CENTRE = (114.29, 23.17)  # lon, lat

# (name, 3-digit street code, urban?)
STREETS: tuple[tuple[str, str, bool], ...] = (
    ("罗阳街道", "001", True),
    ("龙溪街道", "002", True),
    ("石湾镇", "101", False),
    ("园洲镇", "102", False),
    ("龙华镇", "103", False),
    ("长宁镇", "104", False),
    ("福田镇", "105", False),
    ("湖镇镇", "106", False),
    ("横河镇", "107", False),
    ("杨村镇", "108", False),
    ("柏塘镇", "109", False),
    ("公庄镇", "110", False),
    ("观音阁镇", "111", False),
    ("泰美镇", "112", False),
    ("麻陂镇", "113", False),
    ("杨侨镇", "114", False),
    ("石坝镇", "115", False),
)

COMMUNITY_STEMS = (
    "北门",
    "南门",
    "西门",
    "东门",
    "城东",
    "城西",
    "城南",
    "江北",
    "桥东",
    "府前",
    "观背",
    "永安",
    "鸿兴",
    "金湖",
    "宝江",
    "新华",
    "文昌",
    "凤岗",
    "沙河",
    "榕城",
    "东江",
    "荔枝",
    "松园",
    "莲湖",
    "塘角",
    "新村",
    "太平",
    "兴隆",
    "和平",
    "光明",
    "青云",
    "朝阳",
    "白沙",
    "龙岗",
    "石岭",
    "竹园",
)
ROAD_STEMS = (
    "人民",
    "解放",
    "建设",
    "和平",
    "罗阳",
    "东华",
    "文化",
    "新华",
    "商业",
    "工业",
    "滨江",
    "环城",
    "北环",
    "南环",
    "健康",
    "振兴",
    "育才",
    "府前",
    "葛洪",
    "象头山",
    "罗浮",
    "东江",
    "沿江",
    "迎宾",
)
ROAD_SUFFIXES = ("路", "路", "大道", "街", "巷")
ESTATE_SUFFIXES = ("花园", "小区", "华庭", "新村", "雅苑", "家园")

DEPARTMENTS = (
    "公安局",
    "城市管理和综合执法局",
    "住房和城乡建设局",
    "生态环境分局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "应急管理局",
    "水务局",
    "供电局",
    "自然资源局",
    "交通运输局",
    "卫生健康局",
    "教育局",
    "民政局",
    "司法局",
    "农业农村局",
    "文化广电旅游体育局",
    "退役军人事务局",
    "信访局",
    "消防救援大队",
)

FIRM_WORDS = (
    "恒达",
    "鑫源",
    "华盛",
    "粤兴",
    "宏发",
    "东江",
    "罗浮",
    "永信",
    "合力",
    "新创",
    "联泰",
    "金田",
)
FIRM_TRADES = (
    "电子",
    "五金制品",
    "建材",
    "食品",
    "纺织",
    "物流",
    "农业科技",
    "贸易",
    "塑胶",
    "家具",
)

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (网格 names: 第十二网格)."""
    if n < 11:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return f"{head}十{CHINESE_NUMERALS[ones] if ones else ''}"
