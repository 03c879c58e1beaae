"""Service definition attributes (GeoReport v2 "service definitions").

Every matter item has the common attributes; each domain adds a few of its own. The values
a client submits are checked here and stored on the case's ``ServiceRequest.attributes``;
``urgent`` also sets the case's own urgency. The design is recorded in docs/open311.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.cases.choices import Domain
from civicgrid.core.errors import ValidationFailed

STRING_MAX = 200
TEXT_MAX = 2000
YES_NO = (("yes", gettext_lazy("是")), ("no", gettext_lazy("否")))


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    description: object
    required: bool = False
    datatype_description: object = ""
    values: tuple = field(default_factory=tuple)  # ((key, name), …) for the list types
    variable: bool = True

    def keys(self) -> set[str]:
        return {k for k, _name in self.values}


COMMON = (
    Attribute(
        "urgent",
        "singlevaluelist",
        gettext_lazy("是否紧急(危及人身或财产安全)?"),
        values=YES_NO,
        datatype_description=gettext_lazy("选“是”按紧急时限处置;本身紧急的事项始终按紧急处置。"),
    ),
    Attribute(
        "observed_at",
        "datetime",
        gettext_lazy("发现时间"),
        datatype_description=gettext_lazy("ISO 8601 格式,须带时区,如 2024-05-01T08:30:00+08:00"),
    ),
)

BY_DOMAIN: dict[str, tuple[Attribute, ...]] = {
    Domain.ENFORCEMENT: (
        Attribute(
            "recurrence",
            "singlevaluelist",
            gettext_lazy("该问题是首次发现还是反复出现?"),
            values=(("first", gettext_lazy("首次发现")), ("repeat", gettext_lazy("反复出现"))),
        ),
    ),
    Domain.WORK_SAFETY: (
        Attribute(
            "injuries",
            "singlevaluelist",
            gettext_lazy("是否有人员受伤?"),
            required=True,
            values=YES_NO,
        ),
    ),
    Domain.PUBLIC_ORDER: (
        Attribute(
            "ongoing",
            "singlevaluelist",
            gettext_lazy("事件是否仍在发生?"),
            required=True,
            values=YES_NO,
        ),
    ),
    Domain.LIVELIHOOD: (
        Attribute(
            "households",
            "number",
            gettext_lazy("受影响的大约户数"),
            datatype_description=gettext_lazy("0 到 100000 之间的整数"),
        ),
    ),
    Domain.ECOLOGY: (
        Attribute(
            "pollution",
            "multivaluelist",
            gettext_lazy("污染类型(可多选)"),
            values=(
                ("water", gettext_lazy("水")),
                ("air", gettext_lazy("大气")),
                ("noise", gettext_lazy("噪声")),
                ("waste", gettext_lazy("固体废物")),
                ("soil", gettext_lazy("土壤")),
            ),
        ),
    ),
    Domain.PARTY_MASS: (
        Attribute(
            "callback",
            "singlevaluelist",
            gettext_lazy("希望的回访方式"),
            values=(
                ("phone", gettext_lazy("电话")),
                ("visit", gettext_lazy("上门")),
                ("none", gettext_lazy("无需回访")),
            ),
        ),
    ),
}


def attributes_for(item) -> tuple[Attribute, ...]:
    return COMMON + BY_DOMAIN.get(item.domain, ())


def _invalid(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={f"attribute[{code}]": [message]})


def _one(attr: Attribute, values: list[str]) -> str:
    if len(values) > 1:
        raise _invalid(attr.code, _("属性 %(c)s 只能有一个值。") % {"c": attr.code})
    return values[0].strip()


def _clean_value(attr: Attribute, values: list[str]):
    if attr.datatype == "multivaluelist":
        chosen = sorted({v.strip() for v in values if v.strip()})
        bad = [v for v in chosen if v not in attr.keys()]
        if bad:
            raise _invalid(
                attr.code,
                _("属性 %(c)s 的取值无效:%(v)s。") % {"c": attr.code, "v": "、".join(bad)},
            )
        return chosen
    value = _one(attr, values)
    if attr.datatype == "singlevaluelist":
        if value not in attr.keys():
            raise _invalid(
                attr.code,
                _("属性 %(c)s 的取值无效:%(v)s(可选:%(k)s)。")
                % {"c": attr.code, "v": value, "k": "、".join(sorted(attr.keys()))},
            )
        return value
    if attr.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or number != number or not (0 <= number <= 100000):
            raise _invalid(
                attr.code, _("属性 %(c)s 须为 0 到 100000 之间的数字。") % {"c": attr.code}
            )
        return int(number) if number.is_integer() else number
    if attr.datatype == "datetime":
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise _invalid(
                attr.code, _("属性 %(c)s 须为带时区的 ISO 8601 时间。") % {"c": attr.code}
            )
        return parsed.isoformat()
    limit = TEXT_MAX if attr.datatype == "text" else STRING_MAX
    if len(value) > limit or (attr.datatype == "string" and "\n" in value):
        raise _invalid(attr.code, _("属性 %(c)s 过长或格式不符。") % {"c": attr.code})
    return value


def clean_attributes(item, submitted: dict[str, list[str]]) -> dict:
    """The checked values by attribute code; unknown codes and missing required ones fail."""
    known = {a.code: a for a in attributes_for(item)}
    unknown = sorted(set(submitted) - set(known))
    if unknown:
        raise ValidationFailed(
            _("该服务没有这些属性:%(c)s。") % {"c": "、".join(unknown)},
            details={f"attribute[{c}]": [_("未知属性。")] for c in unknown},
        )
    cleaned: dict = {}
    for code, attr in known.items():
        values = [v for v in submitted.get(code, []) if v is not None and v.strip()]
        if not values:
            if attr.required:
                raise _invalid(
                    code, _("缺少必填属性 %(c)s(%(d)s)。") % {"c": code, "d": attr.description}
                )
            continue
        cleaned[code] = _clean_value(attr, values)
    return cleaned


def parse_attribute_params(data) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2`` from a QueryDict."""
    found: dict[str, list[str]] = {}
    for name in data:
        if not name.startswith("attribute[") or "]" not in name:
            continue
        code = name[len("attribute[") : name.index("]")]
        found.setdefault(code, []).extend(data.getlist(name))
    return found
