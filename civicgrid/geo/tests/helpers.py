"""Small helpers for the geo tests: metres and degrees near TinyCounty (latitude 23°)."""

import math
import re

M_PER_DEG = 111_320.0
LAT = 23.005  # the middle of TinyCounty


def deg_lon(metres: float, lat: float = LAT) -> float:
    """Degrees of longitude spanning ``metres`` at ``lat``."""
    return metres / (M_PER_DEG * math.cos(math.radians(lat)))


def deg_lat(metres: float) -> float:
    return metres / M_PER_DEG


def sq_m(dlon: float, dlat: float, lat: float = LAT) -> float:
    """Square metres of a dlon × dlat degree rectangle at ``lat``."""
    return dlon * M_PER_DEG * math.cos(math.radians(lat)) * dlat * M_PER_DEG


def number_in(text: str) -> float:
    """The figure in a reason such as "重叠约 1,234 平方米"."""
    m = re.search(r"约 ([\d,]+) 平方米", text)
    assert m, text
    return float(m.group(1).replace(",", ""))


def by_key(errors) -> dict:
    out: dict = {}
    for e in errors:
        out.setdefault(e.key, []).append(e)
    return out
