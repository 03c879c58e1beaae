"""Reads for shared resources. The public directory shows the resources their owners list
(``public``); everything else starts from ``restrict(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from civicgrid.core.scoping import get_scope
from civicgrid.geo.models import Area

from . import services
from .choices import HOLDING_STATUSES, BookingStatus, CentreLevel
from .models import (
    Booking,
    BookingEvent,
    CentreActivity,
    ClosedDay,
    OpeningHours,
    Resource,
    ServiceCentre,
    ServiceItem,
    Skill,
)


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def visible_resources(*, user) -> QuerySet[Resource]:
    """The directory entries (public and active) plus every resource in the user's scope."""
    qs = Resource.objects.filter(public=True, active=True)
    if _authenticated(user):
        qs = qs | Resource.objects.restrict(user)
    return qs


def directory(*, user, params=None) -> QuerySet[Resource]:
    params = params or {}
    qs = (
        visible_resources(user=user)
        .select_related("area", "owner_unit")
        .prefetch_related(
            Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
    )
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    area = str(params.get("area") or "")
    if area.isdigit():
        node = Area.objects.filter(pk=int(area)).only("path").first()
        qs = qs.filter(area__path__startswith=node.path) if node else qs.none()
    if params.get("q"):
        q = str(params["q"]).strip()[:50]
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    who = params.get("who")
    if who == "resident":
        qs = qs.filter(open_to_residents=True)
    elif who == "unit":
        qs = qs.filter(open_to_units=True)
    cap = str(params.get("capacity") or "")
    if cap.isdigit():
        qs = qs.filter(capacity__gte=int(cap))
    return qs.order_by("area__path", "kind", "name", "id")


def directory_counts(*, user) -> dict[str, int]:
    return dict(visible_resources(user=user).values_list("kind").annotate(n=Count("id")).order_by())


def resource_get(*, user, pk: int) -> Resource | None:
    return (
        visible_resources(user=user)
        .select_related("area", "grid", "owner_unit")
        .filter(pk=pk)
        .first()
    )


def managed_resources(*, user) -> QuerySet[Resource]:
    """Resources the user may edit: change scope, or the units the user acts for."""
    if not _authenticated(user):
        return Resource.objects.none()
    qs = Resource.objects.restrict(user, "change")
    units = [u.pk for u in services.user_units(user)]
    if units:
        qs = qs | Resource.objects.filter(owner_unit_id__in=units)
    return qs


# --- calendars -----------------------------------------------------------------------------


@dataclass
class DaySlot:
    start: dt.datetime
    end: dt.datetime


@dataclass
class Day:
    date: dt.date
    intervals: list[tuple[dt.time, dt.time]]
    bookings: list[Booking] = field(default_factory=list)
    free: list[DaySlot] = field(default_factory=list)
    closed_reason: str = ""

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def _aware(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t))


def holding_bookings(resource: Resource, start: dt.datetime, end: dt.datetime) -> list[Booking]:
    return list(
        Booking.objects.filter(
            resource=resource, status__in=HOLDING_STATUSES, start__lt=end, end__gt=start
        )
        .select_related("booker_unit")
        .order_by("start")
    )


def week(*, resource: Resource, monday: dt.date, now: dt.datetime | None = None) -> list[Day]:
    """Seven days from ``monday``: opening hours, the bookings that hold slots, and the free
    bookable gaps (after the minimum notice, within the horizon). Three queries."""
    now = now or timezone.now()
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    hours = list(resource.hours.all())
    closed = {
        c.date: c.reason or "-"
        for c in ClosedDay.objects.filter(resource=resource, date__range=(days[0], days[-1]))
    }
    bookings = holding_bookings(
        resource, _aware(days[0], dt.time.min), _aware(days[-1], dt.time.max)
    )
    earliest = now + dt.timedelta(hours=resource.min_notice_hours)
    latest = now + dt.timedelta(days=resource.horizon_days)
    step = dt.timedelta(minutes=resource.slot_minutes or 30)
    out = []
    for day in days:
        intervals = services.day_intervals(resource, day, hours=hours, closed=set(closed))
        d = Day(date=day, intervals=intervals, closed_reason=closed.get(day, ""))
        d.bookings = [b for b in bookings if timezone.localtime(b.start).date() == day]
        for opens, closes in intervals:
            cursor, stop = _aware(day, opens), _aware(day, closes)
            # First bookable boundary: the opening, or the first aligned time after the notice.
            while cursor < stop and cursor < earliest:
                cursor += step
            for b in [b for b in d.bookings if b.end > cursor and b.start < stop] + [None]:
                gap_end = min(b.start, stop) if b else stop
                gap_end = min(gap_end, latest)
                if gap_end - cursor >= step:
                    d.free.append(DaySlot(cursor, gap_end))
                if b:
                    cursor = max(cursor, b.end)
        out.append(d)
    return out


def month(*, resource: Resource, first: dt.date) -> list[list[dict]]:
    """Weeks (Monday first) of the month holding ``first``: day, bookings count, open or not."""
    start = first - dt.timedelta(days=first.weekday())
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    end = nxt + dt.timedelta(days=(7 - nxt.weekday()) % 7)
    counts: dict[dt.date, int] = {}
    for b in holding_bookings(resource, _aware(start, dt.time.min), _aware(end, dt.time.min)):
        day = timezone.localtime(b.start).date()
        counts[day] = counts.get(day, 0) + 1
    hours = list(resource.hours.all())
    closed = set(
        ClosedDay.objects.filter(resource=resource, date__range=(start, end)).values_list(
            "date", flat=True
        )
    )
    weeks, day = [], start
    while day < end:
        row = []
        for _ in range(7):
            row.append(
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "count": counts.get(day, 0),
                    "open": bool(services.day_intervals(resource, day, hours=hours, closed=closed)),
                    "today": day == timezone.localdate(),
                }
            )
            day += dt.timedelta(days=1)
        weeks.append(row)
    return weeks


# --- bookings ------------------------------------------------------------------------------


def booking_list(*, user, status: str = "") -> QuerySet[Booking]:
    """Bookings of the resources in the user's scope (owner units see their resources')."""
    if not _authenticated(user):
        return Booking.objects.none()
    qs = Booking.objects.restrict(user).select_related("resource__area", "booker_unit", "booker")
    if status in BookingStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-start", "-id")


def my_bookings(*, user) -> QuerySet[Booking]:
    if not _authenticated(user):
        return Booking.objects.none()
    return (
        Booking.objects.filter(booker=user)
        .select_related("resource__area", "booker_unit")
        .order_by("-start", "-id")
    )


def booking_get(*, user, pk: int) -> Booking | None:
    if not _authenticated(user):
        return None
    qs = Booking.objects.restrict(user) | Booking.objects.filter(booker=user)
    return (
        qs.select_related("resource__area", "resource__owner_unit", "booker_unit", "booker")
        .filter(pk=pk)
        .first()
    )


def booking_ledger(booking: Booking) -> QuerySet[BookingEvent]:
    return booking.events.select_related("actor").order_by("at", "id")


def pending_count(*, user) -> int:
    return booking_list(user=user, status=BookingStatus.PENDING).count()


# --- service centres -----------------------------------------------------------------------


def centre_list(*, user, params=None) -> QuerySet[ServiceCentre]:
    params = params or {}
    qs = ServiceCentre.objects.filter(public=True)
    if _authenticated(user):
        qs = qs | ServiceCentre.objects.restrict(user)
    level = str(params.get("level") or "")
    if level.isdigit() and int(level) in CentreLevel.values:
        qs = qs.filter(level=int(level))
    area = str(params.get("area") or "")
    if area.isdigit():
        node = Area.objects.filter(pk=int(area)).only("path").first()
        qs = qs.filter(area__path__startswith=node.path) if node else qs.none()
    return (
        qs.select_related("area", "grid")
        .annotate(n_items=Count("items", filter=Q(items__active=True), distinct=True))
        .order_by("level", "area__path", "name")
    )


def centre_get(*, user, pk: int) -> ServiceCentre | None:
    qs = ServiceCentre.objects.filter(public=True)
    if _authenticated(user):
        qs = qs | ServiceCentre.objects.restrict(user)
    return (
        qs.select_related("area", "grid")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ServiceItem.objects.filter(active=True).order_by("category", "name"),
            ),
            Prefetch(
                "activities",
                queryset=CentreActivity.objects.filter(
                    starts_at__gte=timezone.now() - dt.timedelta(hours=12)
                ).order_by("starts_at")[:30],
                to_attr="upcoming",
            ),
        )
        .filter(pk=pk)
        .first()
    )


# --- the living resource map ---------------------------------------------------------------


def _centre(row) -> list[float] | None:
    if row is None or row.get("min_x") is None:
        return None
    return [
        round((row["min_x"] + row["max_x"]) / 2, 6),
        round((row["min_y"] + row["max_y"]) / 2, 6),
    ]


def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


def living_map(*, user, area: Area | None) -> dict:
    """Points for the layers of the living map inside ``area`` (or the user's whole scope):
    resources, skilled people (names only with reveal_pii), open located cases, open hotspots."""
    from civicgrid.analytics import selectors as analytics_selectors
    from civicgrid.cases.models import open_q
    from civicgrid.cases.selectors import case_base
    from civicgrid.geo.models import Grid

    in_area = Q(area__path__startswith=area.path) if area is not None else Q()
    resources = [
        {
            "id": r.pk,
            "name": r.name,
            "value": [r.lon, r.lat],
            "kind": r.get_kind_display(),
            "capacity": r.capacity,
            "owner": r.owner_unit.name if r.owner_unit_id else r.area.name,
        }
        for r in Resource.objects.restrict(user)
        .filter(in_area, active=True, lon__isnull=False, lat__isnull=False)
        .select_related("area", "owner_unit")
        .order_by("id")[:2000]
    ]

    skills_qs = (
        Skill.objects.restrict(user)
        .filter(in_area)
        .select_related("party_member", "resident")
        .order_by("grid_id", "tag", "id")
    )
    pii = get_scope(user, "reveal_pii")
    reveal_ids = (
        set(Skill.objects.restrict(user, "reveal_pii").filter(in_area).values_list("id", flat=True))
        if (pii.everything or pii.area_ids or pii.grid_ids)
        else set()
    )
    skills = list(skills_qs[:5000])
    grid_ids = {s.grid_id for s in skills if s.grid_id}
    area_ids = {s.area_id for s in skills if not s.grid_id}
    grid_box = {
        g["id"]: g
        for g in Grid.objects.filter(pk__in=grid_ids).values(
            "id", "name", "min_x", "min_y", "max_x", "max_y"
        )
    }
    area_box = {
        a["id"]: a
        for a in Area.objects.filter(pk__in=area_ids).values(
            "id", "name", "min_x", "min_y", "max_x", "max_y"
        )
    }
    groups: dict[tuple, dict] = {}
    for s in skills:
        box = grid_box.get(s.grid_id) if s.grid_id else area_box.get(s.area_id)
        point = _centre(box)
        if point is None:
            continue
        g = groups.setdefault(
            (s.grid_id, s.area_id if not s.grid_id else None),
            {
                "name": box["name"],
                "value": point,
                "count": 0,
                "willing": 0,
                "tags": {},
                "people": [],
            },
        )
        g["count"] += 1
        g["willing"] += int(s.willing)
        label = s.get_tag_display()
        g["tags"][label] = g["tags"].get(label, 0) + 1
        person = s.person
        shown = person.name if s.pk in reveal_ids else mask_name(person.name)
        g["people"].append(f"{shown}·{label}" + ("" if s.willing else "(暂不参与)"))
    for g in groups.values():
        g["tags"] = [f"{k} {v}" for k, v in sorted(g["tags"].items(), key=lambda kv: -kv[1])]
        g["people"] = g["people"][:30]
        g["value"] = g["value"] + [g["count"]]

    risks = [
        {
            "id": c.pk,
            "name": f"{c.number or c.pk} {c.item.name}",
            "value": [c.lon, c.lat],
            "status": c.get_status_display(),
            "sla": c.get_sla_state_display() if hasattr(c, "get_sla_state_display") else "",
            "address": c.address,
        }
        for c in case_base(user=user)
        .filter(open_q(), lon__isnull=False, lat__isnull=False)
        .filter(Q(area__path__startswith=area.path) if area is not None else Q())
        .order_by("-created_at")[:1000]
    ]
    hotspots = []
    for h in analytics_selectors.hotspot_list(user=user, state="open")[:200]:
        centre = (h.evidence or {}).get("centroid")
        if area is not None and not h.area.path.startswith(area.path):
            continue
        if centre:
            label = h.item.name if h.item_id else (h.group.name if h.group_id else "")
            hotspots.append({"id": h.pk, "name": label, "value": centre, "count": h.count})
    return {
        "resources": resources,
        "skills": list(groups.values()),
        "risks": risks,
        "hotspots": hotspots,
    }
