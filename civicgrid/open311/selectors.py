"""Reads for Open311: the public catalogue, and service requests as a client may see them.

Privacy (docs/open311.md): no output ever carries a name, phone, e-mail, device or account
id. A key with the ``open311`` scope sees the cases its partner may view, with their text,
address and coordinates. Without a key, only requests that came in through Open311 are
listed, and only coarsely: no text, no coordinates, the community as the address.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from civicgrid.cases.choices import HandlingMode, ResolveKind, Source, Status
from civicgrid.cases.models import Case, MatterItem
from civicgrid.core.errors import ValidationFailed

from .attributes import attributes_for
from .render import w3_datetime

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
CLOSED_STATUSES = frozenset(
    {Status.RESOLVED, Status.RATED, Status.CLOSED, Status.MERGED, Status.INVALID}
)


# ---------------------------------------------------------------- services
def services_list() -> list[dict]:
    items = MatterItem.objects.filter(active=True).select_related("group").order_by("code")
    return [
        {
            "service_code": item.code,
            "service_name": item.name,
            "description": item.description or "",
            "metadata": bool(attributes_for(item)),
            "type": "realtime",
            "keywords": ", ".join(str(k) for k in item.keywords or []),
            "group": item.group.name,
        }
        for item in items
    ]


def service_definition(item: MatterItem) -> dict:
    return {
        "service_code": item.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": str(a.datatype_description) or None,
                "order": order,
                "description": str(a.description),
                **(
                    {"values": [{"key": k, "name": str(n)} for k, n in a.values]}
                    if a.values
                    else {}
                ),
            }
            for order, a in enumerate(attributes_for(item), start=1)
        ],
    }


def catalogue_changeset() -> str:
    latest = MatterItem.objects.aggregate(m=Max("updated_at"))["m"]
    return w3_datetime(latest) or "1970-01-01T08:00:00+08:00"


# ---------------------------------------------------------------- dates and filters
def parse_w3(value: str, name: str, *, end: bool = False) -> dt.datetime:
    """A W3C date-time with its time zone, or a complete date (local midnight; the end of
    the day for end_date)."""
    value = (value or "").strip()
    try:
        parsed = parse_datetime(value) if "T" in value else None
        day = parse_date(value) if "T" not in value else None
    except ValueError:
        parsed = day = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    if day is not None:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if end else start
    raise ValidationFailed(
        _("%(f)s 须为带时区的 W3C 时间,如 2024-05-01T00:00:00+08:00。") % {"f": name},
        details={name: [_("格式无效。")]},
    )


def date_range(start: str, end: str, *, now=None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    start_dt = parse_w3(start, "start_date") if start else None
    end_dt = parse_w3(end, "end_date", end=True) if end else None
    if start_dt is None and end_dt is None:
        return now - MAX_SPAN, now
    if start_dt is None:
        start_dt = end_dt - MAX_SPAN
    if end_dt is None:
        end_dt = min(start_dt + MAX_SPAN, max(now, start_dt))
    if start_dt > end_dt:
        raise ValidationFailed(
            _("start_date 不能晚于 end_date。"), details={"start_date": [_("范围无效。")]}
        )
    if end_dt - start_dt > MAX_SPAN:
        raise ValidationFailed(
            _("查询范围不能超过 90 天。"), details={"end_date": [_("范围过大。")]}
        )
    return start_dt, end_dt


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _statuses(value: str) -> set[str]:
    wanted = set(_split(value))
    bad = wanted - {"open", "closed"}
    if bad:
        raise ValidationFailed(
            _("status 只能是 open 或 closed。"), details={"status": [", ".join(sorted(bad))]}
        )
    return wanted


# ---------------------------------------------------------------- requests
def _base(user, public: bool):
    qs = Case.objects.restrict(user) if not public else Case.objects.filter(source=Source.OPEN311)
    return qs.select_related("item", "area", "grid", "handler_area", "handler_unit", "open311")


def requests_query(user, params, *, public: bool, now=None) -> list[Case]:
    """The cases a GET requests call answers with, newest first, at most 1000."""
    qs = _base(user, public)
    ids = _split(params.get("service_request_id", ""))
    if ids:
        if len(ids) > MAX_RESULTS:
            raise ValidationFailed(_("一次最多查询 1000 个 service_request_id。"))
        return list(qs.filter(number__in=ids).order_by("-created_at")[:MAX_RESULTS])
    codes = _split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(item__code__in=codes)
    start, end = date_range(params.get("start_date", ""), params.get("end_date", ""), now=now)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    wanted = _statuses(params.get("status", ""))
    if wanted == {"open"}:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif wanted == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    return list(qs.order_by("-created_at")[:MAX_RESULTS])


def request_get(user, number: str, *, public: bool) -> Case | None:
    return _base(user, public).filter(number=number).first()


def service_notice(case: Case) -> str:
    limits = case.limits or {}
    mode = HandlingMode(case.mode).label if case.mode in HandlingMode.values else ""
    if limits.get("urgent_hours"):
        due = _("紧急事项,%(h)d 小时内处置") % {"h": limits["urgent_hours"]}
    elif limits.get("resolve_kind") == ResolveKind.SAME_DAY:
        due = _("当日办结")
    else:
        due = _("%(d)d 个工作日内办结") % {"d": limits.get("resolve_days") or 0}
    return f"{mode};{due}" if mode else due


def _status_notes(case: Case) -> str:
    label = str(case.get_status_display())
    if case.status == Status.MERGED and case.merged_into_id:
        return _("%(s)s:与其他诉求合并办理") % {"s": label}
    return label


def _service_request(case: Case):
    try:
        return case.open311
    except Case.open311.RelatedObjectDoesNotExist:
        return None


def request_data(case: Case, *, public: bool) -> dict:
    """One request in the spec's fields. Never names, phones, e-mails or client ids."""
    closed = case.status in CLOSED_STATUSES
    sr = _service_request(case)
    address_id = case.grid.code if case.grid_id else case.area.code
    data = {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(case),
        "service_name": case.item.name,
        "service_code": case.item.code,
        "description": None if public else case.text,
        "agency_responsible": case.handler_name or None,
        "service_notice": service_notice(case),
        "requested_datetime": w3_datetime(case.created_at),
        "updated_datetime": w3_datetime(
            (case.closed_at or case.resolved_at or case.updated_at) if closed else case.updated_at
        ),
        "expected_datetime": w3_datetime(case.resolve_due),
        "address": case.area.name if public else (case.address or _place(case)),
        "address_id": case.area.code if public else address_id,
        "zipcode": None,
        "lat": None if public else case.lat,
        "long": None if public else case.lon,
        "media_url": (sr.media_url or None) if sr is not None and not public else None,
    }
    return data


def _place(case: Case) -> str:
    return f"{case.grid.name},{case.area.name}" if case.grid_id else case.area.name
