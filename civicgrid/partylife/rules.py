"""The computations behind dues, arrears, organisational-life compliance, star ratings and
warnings. Pure functions over dates and numbers plus a few grouped reads; no writes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from . import choices as c
from .models import DuesBase, DuesPayment, Meeting, MeetingAttendance, TrainingRecord

CENT = Decimal("0.01")


# --- months and periods --------------------------------------------------------------------
def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Month starts from first to last inclusive (empty when last < first)."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def last_complete_period(freq: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the last month or quarter that ended before today."""
    if freq == c.Frequency.MONTHLY:
        end = month_start(today)
        return add_months(end, -1), end
    end = quarter_start(today)
    return add_months(end, -3), end


def periods_in_year(freq: str, year: int, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The complete months or quarters of ``year`` that ended before today."""
    step = 1 if freq == c.Frequency.MONTHLY else 3
    out, start = [], dt.date(year, 1, 1)
    while start.year == year:
        end = add_months(start, step)
        if end <= today:
            out.append((start, end))
        start = end
    return out


# --- dues ----------------------------------------------------------------------------------
def dues_monthly(category: str, income: Decimal | int | str) -> Decimal:
    """Monthly dues for a member of ``category`` with the given monthly income after tax."""
    income = Decimal(str(income or 0))
    if income < 0:
        raise ValueError("income must not be negative")
    brackets = c.DUES_BRACKETS.get(category)
    if brackets is None:
        return c.DUES_FIXED
    for ceiling, rate in brackets:
        if ceiling is None or income <= ceiling:
            return (income * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    raise AssertionError("unreachable")


@dataclass
class DuesStatus:
    member_id: int
    monthly: Decimal | None  # the latest base in force (None: never declared)
    due_months: list[dt.date] = field(default_factory=list)
    paid_months: set[dt.date] = field(default_factory=set)

    @property
    def arrears_months(self) -> list[dt.date]:
        return [m for m in self.due_months if m not in self.paid_months]

    @property
    def arrears_count(self) -> int:
        return len(self.arrears_months)


def dues_status(
    member_ids, today: dt.date, *, since: dt.date | None = None
) -> dict[int, DuesStatus]:
    """For each member: the months due (from their first declared base up to the month before
    today's month — a month's dues may be paid until its end), which are paid, what is owed.
    Two queries for any number of members."""
    member_ids = list(member_ids)
    bases: dict[int, list] = defaultdict(list)
    for b in (
        DuesBase.objects.filter(member_id__in=member_ids)
        .order_by("since")
        .values("member_id", "since", "monthly_dues")
    ):
        bases[b["member_id"]].append(b)
    paid: dict[int, set] = defaultdict(set)
    for p in DuesPayment.objects.filter(member_id__in=member_ids).values("member_id", "month"):
        paid[p["member_id"]].add(p["month"])
    last_due = add_months(month_start(today), -1)
    out = {}
    for mid in member_ids:
        rows = bases.get(mid, [])
        if not rows:
            out[mid] = DuesStatus(mid, None)
            continue
        first = month_start(rows[0]["since"])
        if since:
            first = max(first, month_start(since))
        out[mid] = DuesStatus(
            mid, rows[-1]["monthly_dues"], months_between(first, last_due), paid.get(mid, set())
        )
    return out


def dues_for_month(member_id: int, month: dt.date) -> Decimal | None:
    base = (
        DuesBase.objects.filter(
            member_id=member_id, since__lte=add_months(month, 1) - dt.timedelta(days=1)
        )
        .order_by("-since")
        .first()
    )
    return base.monthly_dues if base else None


# --- training ------------------------------------------------------------------------------
def training_hours(member_ids, year: int) -> dict[int, Decimal]:
    rows = (
        TrainingRecord.objects.filter(member_id__in=list(member_ids), taken_on__year=year)
        .values("member_id")
        .annotate(h=Sum("hours"))
    )
    return {r["member_id"]: r["h"] for r in rows}


def required_hours(year: int, today: dt.date) -> Decimal:
    """The yearly requirement, pro rata for the months of ``year`` that have passed."""
    if year < today.year:
        return c.TRAINING_HOURS_PER_YEAR
    if year > today.year:
        return Decimal("0")
    return (c.TRAINING_HOURS_PER_YEAR * today.month / 12).quantize(Decimal("0.1"))


# --- organisational life -------------------------------------------------------------------
def required_kinds(org) -> tuple[str, ...]:
    return c.REQUIRED_MEETINGS.get(org.kind, ())


def meeting_dates(org_ids, start: dt.date, end: dt.date) -> dict[int, dict[str, list[dt.date]]]:
    out: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for m in Meeting.objects.filter(
        organization_id__in=list(org_ids), held_on__gte=start, held_on__lt=end
    ).values("organization_id", "kind", "held_on"):
        out[m["organization_id"]][m["kind"]].append(m["held_on"])
    return out


def missed_in(kinds, dates: dict[str, list[dt.date]], periods_of) -> list[tuple[str, dt.date]]:
    """(kind, period start) for every required period with no meeting of that kind."""
    missed = []
    for kind in kinds:
        for start, end in periods_of(c.FREQUENCY[kind]):
            if not any(start <= d < end for d in dates.get(kind, ())):
                missed.append((kind, start))
    return missed


def attendance_rate(org_ids, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """(present, expected) per organisation over its meetings in [start, end)."""
    rows = (
        MeetingAttendance.objects.filter(
            meeting__organization_id__in=list(org_ids),
            meeting__held_on__gte=start,
            meeting__held_on__lt=end,
        )
        .values("meeting__organization_id")
        .annotate(n=Count("id"), present=Count("id", filter=Q(status=c.Attendance.PRESENT)))
    )
    return {r["meeting__organization_id"]: (r["present"], r["n"]) for r in rows}


def points_active_share(member_ids, year: int) -> float | None:
    """Share of members with at least one positive points entry in the year (the ledger of
    civicgrid.party), or None when the points ledger is not installed."""
    if not apps.is_installed("civicgrid.party") or not member_ids:
        return None
    from civicgrid.party.models import PointsEntry

    active = (
        PointsEntry.objects.filter(
            member_id__in=list(member_ids), occurred_at__year=year, points__gt=0
        )
        .values("member_id")
        .distinct()
        .count()
    )
    return active / len(member_ids)


# --- star rating ---------------------------------------------------------------------------
@dataclass
class StarFigures:
    org_life: float  # 0..1 each
    dues: float
    training: float
    participation: float
    manual: Decimal  # 0..STAR_WEIGHTS["manual"] points

    def scores(self) -> dict[str, float]:
        w = c.STAR_WEIGHTS
        return {
            "org_life": round(w["org_life"] * self.org_life, 2),
            "dues": round(w["dues"] * self.dues, 2),
            "training": round(w["training"] * self.training, 2),
            "participation": round(w["participation"] * self.participation, 2),
            "manual": float(self.manual),
        }

    @property
    def total(self) -> Decimal:
        return Decimal(str(round(sum(self.scores().values()), 2)))

    @property
    def stars(self) -> int:
        return c.stars_for(self.total)


def star_figures(org, year: int, today: dt.date, manual: Decimal) -> StarFigures:
    member_ids = list(org.members.values_list("id", flat=True))
    # organisational life: share of the year's complete required periods with a meeting
    kinds = required_kinds(org)
    dates = meeting_dates([org.pk], dt.date(year, 1, 1), dt.date(year + 1, 1, 1)).get(org.pk, {})
    slots = sum(len(periods_in_year(c.FREQUENCY[k], year, today)) for k in kinds)
    missed = missed_in(kinds, dates, lambda f: periods_in_year(f, year, today))
    org_life = (slots - len(missed)) / slots if slots else (1.0 if kinds else 0.0)
    # dues: months paid of months due in the year (members without a declared base owe nothing)
    year_end = min(today, dt.date(year + 1, 1, 1))
    status = dues_status(member_ids, year_end, since=dt.date(year, 1, 1))
    due = sum(len(s.due_months) for s in status.values())
    owed = sum(s.arrears_count for s in status.values())
    dues = (due - owed) / due if due else 1.0
    # training: mean of each member's hours against the (pro-rata) requirement, capped at 1
    need = required_hours(year, today)
    hours = training_hours(member_ids, year)
    if member_ids and need > 0:
        training = sum(min(float(hours.get(m, 0)) / float(need), 1.0) for m in member_ids) / len(
            member_ids
        )
    else:
        training = 1.0 if need == 0 else 0.0
    # participation: attendance at the year's meetings, averaged with the points-ledger share
    present, expected = attendance_rate([org.pk], dt.date(year, 1, 1), dt.date(year + 1, 1, 1)).get(
        org.pk, (0, 0)
    )
    parts = [present / expected] if expected else [0.0]
    share = points_active_share(member_ids, year)
    if share is not None:
        parts.append(share)
    participation = sum(parts) / len(parts)
    return StarFigures(org_life, dues, training, participation, manual)


# --- warnings ------------------------------------------------------------------------------
def warning_conditions(orgs, today: dt.date) -> dict[int, dict[str, str]]:
    """Per organisation, the warning kinds whose condition holds today, with a description.
    A fixed number of queries for any number of organisations."""
    orgs = list(orgs)
    ids = [o.pk for o in orgs]
    window_start = today - dt.timedelta(days=c.NO_MEETING_DAYS)
    earliest = add_months(quarter_start(today), -3)
    dates = meeting_dates(ids, min(earliest, window_start), today + dt.timedelta(days=1))
    last_meeting = dict(
        Meeting.objects.filter(organization_id__in=ids)
        .values("organization_id")
        .annotate(last=Max("held_on"))
        .values_list("organization_id", "last")
    )
    rates = attendance_rate(ids, window_start, today + dt.timedelta(days=1))
    members: dict[int, list[int]] = defaultdict(list)
    from civicgrid.people.models import PartyMember

    for mid, oid in PartyMember.objects.filter(organization_id__in=ids).values_list(
        "id", "organization_id"
    ):
        members[oid].append(mid)
    status = dues_status([m for ms in members.values() for m in ms], today)
    labels = dict(c.MeetingKind.choices)
    out: dict[int, dict[str, str]] = {}
    for org in orgs:
        found: dict[str, str] = {}
        kinds = required_kinds(org)
        missed = missed_in(kinds, dates.get(org.pk, {}), lambda f: [last_complete_period(f, today)])
        if missed:
            found[c.WarningKind.MISSED_MEETINGS] = _("未召开:%(list)s") % {
                "list": "、".join(f"{labels[k]}({s:%Y-%m})" for k, s in missed)
            }
        last = last_meeting.get(org.pk)
        if kinds and (last is None or last < window_start):
            found[c.WarningKind.NO_MEETING] = (
                _("最近一次组织生活:%(d)s") % {"d": last.isoformat()}
                if last
                else _("从未记录组织生活")
            )
        late = [
            m
            for m in members.get(org.pk, [])
            if status[m].arrears_count >= c.DUES_ARREARS_WARNING_MONTHS
        ]
        if late:
            found[c.WarningKind.DUES_ARREARS] = _("%(n)d 名党员欠缴党费 %(m)d 个月及以上") % {
                "n": len(late),
                "m": c.DUES_ARREARS_WARNING_MONTHS,
            }
        present, expected = rates.get(org.pk, (0, 0))
        if expected and Decimal(present) / Decimal(expected) < c.LOW_PARTICIPATION_RATE:
            found[c.WarningKind.LOW_PARTICIPATION] = _("近三个月参会率 %(r)d%%") % {
                "r": round(100 * present / expected)
            }
        out[org.pk] = found
    return out
