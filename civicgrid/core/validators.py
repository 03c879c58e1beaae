"""Validators for Chinese identifiers. Each error names the rule that failed."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_DIVISION_RE = re.compile(r"^\d{12}$")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str) -> str:
    """Validate a resident identity card number (18 characters) and return it normalised."""
    v = normalize_id_number(value)
    if len(v) != 18:
        raise ValidationError(
            _("身份证号码应为18位(现为%(n)d位)。"), code="id_length", params={"n": len(v)}
        )
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise ValidationError(_("身份证号码前17位须为数字,末位为数字或X。"), code="id_chars")
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth")
    if birth > dt.date.today() or birth.year < 1880:
        raise ValidationError(_("身份证号码中的出生日期不在合理范围内。"), code="id_birth")
    if id_check_digit(v[:17]) != v[17]:
        raise ValidationError(_("身份证号码校验位不正确(GB 11643)。"), code="id_checksum")
    return v


def birth_date_from_id(value: str) -> dt.date:
    v = normalize_id_number(value)
    return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(normalize_id_number(value)[16]) % 2 else "F"


def normalize_phone(value: str) -> str:
    v = re.sub(r"[\s\-]", "", (value or "").strip())
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    return v


def validate_phone(value: str) -> str:
    """Validate a mainland mobile number and return it normalised (11 digits)."""
    v = normalize_phone(value)
    if not v.isdigit():
        raise ValidationError(_("手机号码只能包含数字。"), code="phone_chars")
    if len(v) != 11:
        raise ValidationError(
            _("手机号码应为11位(现为%(n)d位)。"), code="phone_length", params={"n": len(v)}
        )
    if not _MOBILE_RE.match(v):
        raise ValidationError(_("手机号码须以13–19开头。"), code="phone_prefix")
    return v


def validate_division_code(value: str) -> str:
    v = (value or "").strip()
    if not _DIVISION_RE.match(v):
        raise ValidationError(_("行政区划代码应为12位数字。"), code="division_code")
    return v


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Validate a unified social credit code (统一社会信用代码) and return it normalised."""
    v = (value or "").strip().upper().replace(" ", "")
    if len(v) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位(现为%(n)d位)。"), code="credit_length", params={"n": len(v)}
        )
    if any(c not in _CREDIT_CHARS for c in v):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符(不使用 I、O、Z、S、V)。"), code="credit_chars"
        )
    if credit_code_check_char(v[:17]) != v[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确(GB 32100)。"), code="credit_checksum")
    return v


def validate_contact_phone(value: str) -> str:
    """A mobile number, or a landline with area code (0752-1234567, optional extension)."""
    v = normalize_phone(value)
    if v.startswith("1"):
        return validate_phone(v)
    v = (value or "").strip().replace(" ", "")
    if not _LANDLINE_RE.match(v):
        raise ValidationError(
            _("联系电话应为手机号或带区号的固定电话(如 0752-1234567)。"), code="phone_format"
        )
    return v
