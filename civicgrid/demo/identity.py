"""Synthetic but well-formed personal data: Chinese names (Faker's zh_CN lists and surname
frequencies), GB 11643 identity numbers, mainland mobile numbers, unified social credit codes.

Everything is drawn from a `random.Random` passed in, so one seed gives one county. Identity
and phone numbers are kept unique across a run (a set of the numbers handed out so far).
"""

from __future__ import annotations

import datetime as dt
import random

from faker.providers.person.zh_CN import Provider as ZhPerson

from civicgrid.core.validators import id_check_digit

# The reference day ages are counted from: fixed, so the same seed gives the same birth dates.
REFERENCE_DATE = dt.date(2025, 6, 30)

_SURNAMES = list(ZhPerson.last_names.keys())
_SURNAME_WEIGHTS = list(ZhPerson.last_names.values())
_MALE = [n for n in ZhPerson.first_names_male if len(n) == 1]
_FEMALE = [n for n in ZhPerson.first_names_female if len(n) == 1]
_FEMALE_DOUBLE = [n for n in ZhPerson.first_names_female if len(n) == 2]
_MIDDLE = "文志建国明海晓子春秋嘉思雨佳俊家永德宇振"

# Region codes of Huizhou (4413xx): most residents were born in 博罗 itself.
REGIONS = ("441322",) * 22 + ("441302", "441303", "441323", "441324")
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str) -> str:
    pool = _MALE if gender == "M" else _FEMALE
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(pool)
    if gender == "F" and roll < 0.45:
        return rng.choice(_FEMALE_DOUBLE)
    return rng.choice(_MIDDLE) + rng.choice(pool)


def full_name(rng: random.Random, gender: str, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, gender)


def birth_date(rng: random.Random, age: int) -> dt.date:
    return REFERENCE_DATE - dt.timedelta(days=age * 365 + rng.randrange(365))


class NumberBook:
    """Hands out identity and mobile numbers, never the same one twice in a run."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._phones: set[int] = set()

    def id_number(self, rng: random.Random, gender: str, born: dt.date) -> str:
        while True:
            region = rng.choice(REGIONS)
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)  # odd = male
            first17 = f"{region}{born:%Y%m%d}{seq:03d}"
            key = int(first17)
            if key not in self._ids:
                self._ids.add(key)
                return first17 + id_check_digit(first17)

    def phone(self, rng: random.Random) -> str:
        while True:
            number = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            key = int(number)
            if key not in self._phones:
                self._phones.add(key)
                return number


def credit_code(rng: random.Random, region: str = "441322") -> str:
    """A unified social credit code (GB 32100) with a correct check character."""
    body = rng.choice(("11", "12", "52", "91", "91", "91")) + region
    body += "".join(rng.choice(_CREDIT_CHARS[:10] + _CREDIT_CHARS[10:]) for _ in range(9))
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]
