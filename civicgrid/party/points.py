"""Writing the points ledger. Other apps call ``points_award`` inside their own transaction.

    from civicgrid.party.points import points_award
    points_award(actor=user, event=PointsEvent.CLAIM_CONFIRMED, member=member, source=claim)

- The rule of the event (PointsRule, set in the admin) gives the points per occurrence and
  the caps; an event with no active rule awards nothing.
- One entry per (event, subject, source): awarding again for the same cause returns the
  entry already written and writes nothing.
- Caps: a subject earns at most ``daily_cap`` points a day and ``monthly_cap`` a month from one
  event (local time, Asia/Shanghai); an award that would pass a cap is cut to what is left, and
  none is written when nothing is left. The subject's row is locked while the caps are summed,
  so two awards at the same moment cannot both pass a cap.
- Corrections are reversing entries (``points_reverse``), never edits.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import Conflict, ValidationFailed
from civicgrid.geo.models import Area

from .choices import PointsEvent, SubjectKind
from .models import PointsEntry, PointsRule, PointsTally


def load_default_rules() -> None:
    """The rules the data migration loads (for emptied test databases); existing rules stay."""
    from .choices import DEFAULT_RULES

    for event, (points, daily, monthly) in DEFAULT_RULES.items():
        PointsRule.objects.get_or_create(
            event=event, defaults={"points": points, "daily_cap": daily, "monthly_cap": monthly}
        )


def source_key_for(obj) -> str:
    """"cases.case:123" for a model instance; strings pass through."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj[:64]
    return f"{obj._meta.label_lower}:{obj.pk}"[:64]


def _subject(member, unit, officer):
    given = [(k, o) for k, o in ((SubjectKind.MEMBER, member), (SubjectKind.UNIT, unit),
                                 (SubjectKind.OFFICER, officer)) if o is not None]
    if len(given) != 1:
        raise ValidationFailed(_("积分须记给一名党员、一个单位或一名信息员。"))
    return given[0]


def _place(obj) -> tuple[int, int | None, int | None]:
    """(community or street id, street id, grid id) of a subject, for rankings and scoping."""
    area_id = obj.area_id
    grid_id = getattr(obj, "grid_id", None)
    area = Area.objects.only("id", "level", "parent_id").get(pk=area_id)
    if area.level == Area.Level.COMMUNITY:
        street_id = area.parent_id
    elif area.level == Area.Level.STREET:
        street_id = area.id
    else:
        street_id = None
    return area_id, street_id, grid_id


def _day_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    local = timezone.localtime(moment)
    day = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min))
    month = timezone.make_aware(dt.datetime.combine(local.date().replace(day=1), dt.time.min))
    next_day = timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time.min))
    first_next = (local.date().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    next_month = timezone.make_aware(dt.datetime.combine(first_next, dt.time.min))
    return day, next_day, month, next_month


def _earned(subject_key: str, event: str, start: dt.datetime, end: dt.datetime) -> int:
    total = PointsEntry.objects.filter(
        subject_key=subject_key, event=event, occurred_at__gte=start, occurred_at__lt=end
    ).aggregate(s=Sum("points"))["s"]
    return int(total or 0)


def _lock(obj) -> None:
    type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True).first()


@transaction.atomic
def points_award(
    *,
    actor,
    event: str,
    member=None,
    unit=None,
    officer=None,
    source=None,
    occurred_at: dt.datetime | None = None,
    quantity: Decimal | int | float = 1,
    note: str = "",
) -> PointsEntry | None:
    """Award the points of ``event``'s rule to one subject. Returns the entry (the existing one
    when this cause was already awarded), or None when no rule applies or a cap is reached."""
    if event == PointsEvent.MANUAL:
        raise ValidationFailed(_("手工加减分请使用积分调整。"))
    kind, obj = _subject(member, unit, officer)
    rule = PointsRule.objects.filter(event=event, active=True).first()
    if rule is None:
        return None
    subject_key = f"{kind}:{obj.pk}"
    key = source_key_for(source)
    _lock(obj)
    if key:
        existing = PointsEntry.objects.filter(event=event, subject_key=subject_key, source_key=key).first()
        if existing is not None:
            return existing
    quantity = Decimal(str(quantity))
    if quantity <= 0:
        raise ValidationFailed(_("数量须大于零。"))
    points = int((rule.points * quantity).to_integral_value(rounding=ROUND_HALF_UP))
    occurred_at = occurred_at or timezone.now()
    if points > 0:
        day, next_day, month, next_month = _day_bounds(occurred_at)
        allowed = points
        if rule.daily_cap is not None:
            allowed = min(allowed, rule.daily_cap - _earned(subject_key, event, day, next_day))
        if rule.monthly_cap is not None:
            allowed = min(allowed, rule.monthly_cap - _earned(subject_key, event, month, next_month))
        if allowed <= 0:
            return None
        if allowed < points:
            note = (note + " " if note else "") + gettext("已达上限,按 %(n)d 分记") % {"n": allowed}
            points = allowed
    area_id, street_id, grid_id = _place(obj)
    return _tally(PointsEntry.objects.create(
        subject_kind=kind,
        member=member,
        unit=unit,
        officer=officer,
        subject_key=subject_key,
        event=event,
        points=points,
        quantity=quantity,
        occurred_at=occurred_at,
        area_id=area_id,
        street_id=street_id,
        grid_id=grid_id,
        source_key=key,
        note=note[:200],
        actor=actor,
    ))


@transaction.atomic
def points_reverse(*, actor, entry: PointsEntry, reason: str,
                   occurred_at: dt.datetime | None = None) -> PointsEntry:
    """Cancel an entry with an entry of the opposite sign (the same event, so its caps free up),
    dated now (or ``occurred_at``, for back-dated corrections and tests)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("冲正须说明原因。"))
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    _lock(entry.subject)
    if entry.reverses_id is not None:
        raise Conflict(_("冲正分录不能再冲正。"))
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("该分录已冲正。"))
    return _tally(PointsEntry.objects.create(
        subject_kind=entry.subject_kind,
        member_id=entry.member_id,
        unit_id=entry.unit_id,
        officer_id=entry.officer_id,
        subject_key=entry.subject_key,
        event=entry.event,
        points=-entry.points,
        quantity=entry.quantity,
        occurred_at=occurred_at or timezone.now(),
        area_id=entry.area_id,
        street_id=entry.street_id,
        grid_id=entry.grid_id,
        source_key=f"reversal:{entry.pk}",
        reverses=entry,
        note=reason[:200],
        actor=actor,
    ))


def points_reverse_source(*, actor, event: str, source, reason: str) -> list[PointsEntry]:
    """Reverse every unreversed award of ``event`` for ``source`` (a case found invalid, say)."""
    key = source_key_for(source)
    entries = PointsEntry.objects.filter(event=event, source_key=key, reversal__isnull=True)
    return [points_reverse(actor=actor, entry=e, reason=reason) for e in entries]


@transaction.atomic
def points_adjust(*, actor, points: int, reason: str, member=None, unit=None, officer=None,
                  occurred_at: dt.datetime | None = None) -> PointsEntry:
    """A manual addition or deduction (the organisation department), with its reason."""
    from civicgrid.orgs.access import require_scope

    kind, obj = _subject(member, unit, officer)
    require_scope(actor, obj)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("手工加减分须说明原因。"))
    if not isinstance(points, int) or points == 0 or abs(points) > 1000:
        raise ValidationFailed(_("分值须为 -1000 至 1000 之间的非零整数。"))
    _lock(obj)
    area_id, street_id, grid_id = _place(obj)
    return _tally(PointsEntry.objects.create(
        subject_kind=kind,
        member=member,
        unit=unit,
        officer=officer,
        subject_key=f"{kind}:{obj.pk}",
        event=PointsEvent.MANUAL,
        points=points,
        occurred_at=occurred_at or timezone.now(),
        area_id=area_id,
        street_id=street_id,
        grid_id=grid_id,
        note=reason[:200],
        actor=actor,
    ))


def _tally(entry: PointsEntry) -> PointsEntry:
    """Add an entry to its subject's month and year tallies (the caller holds the subject's
    lock, so two writers never race to create the same tally row)."""
    local = timezone.localtime(entry.occurred_at).date()
    for period, start in ((PointsTally.MONTH, local.replace(day=1)),
                          (PointsTally.YEAR, local.replace(month=1, day=1))):
        key = {"subject_key": entry.subject_key, "period": period, "start": start,
               "area_id": entry.area_id, "grid_id": entry.grid_id}
        updated = PointsTally.objects.filter(**key).update(points=F("points") + entry.points,
                                                           entries=F("entries") + 1)
        if not updated:
            PointsTally.objects.create(
                **key, subject_kind=entry.subject_kind, member_id=entry.member_id,
                unit_id=entry.unit_id, officer_id=entry.officer_id, street_id=entry.street_id,
                points=entry.points, entries=1,
            )
    return entry


def tally_rebuild() -> int:
    """Rebuild every tally from the ledger (after a bulk load); returns the rows written."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth, TruncYear

    tz = timezone.get_current_timezone()
    if connection.vendor == "postgresql":
        return _tally_rebuild_sql(str(tz))
    with transaction.atomic():
        PointsTally.objects.all().delete()
        written = 0
        fields = ("subject_kind", "subject_key", "member_id", "unit_id", "officer_id", "area_id",
                  "street_id", "grid_id")
        for period, trunc in ((PointsTally.MONTH, TruncMonth), (PointsTally.YEAR, TruncYear)):
            rows = (PointsEntry.objects.annotate(p=trunc("occurred_at", tzinfo=tz)).values(*fields, "p")
                    .annotate(total=Sum("points"), n=Count("id")).order_by())
            batch = []
            for r in rows.iterator(chunk_size=20000):
                start = r.pop("p")
                if isinstance(start, dt.datetime):
                    start = timezone.localtime(start, tz).date() if timezone.is_aware(start) else start.date()
                batch.append(PointsTally(period=period, start=start, points=r.pop("total"),
                                         entries=r.pop("n"), **r))
                if len(batch) >= 5000:
                    PointsTally.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
            PointsTally.objects.bulk_create(batch)
            written += len(batch)
    return written


def _tally_rebuild_sql(tzname: str) -> int:
    """The same rebuild in one INSERT … SELECT per period (PostgreSQL), for millions of rows."""
    cols = ("subject_kind, subject_key, member_id, unit_id, officer_id, area_id, street_id, grid_id")
    written = 0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM party_pointstally")
        for period, unit in ((PointsTally.MONTH, "month"), (PointsTally.YEAR, "year")):
            cur.execute(
                f"INSERT INTO party_pointstally ({cols}, period, start, points, entries) "
                f"SELECT {cols}, %s, date_trunc(%s, occurred_at AT TIME ZONE %s)::date, "
                f"SUM(points), COUNT(*) FROM party_pointsentry GROUP BY {cols}, 10",
                [period, unit, tzname],
            )
            written += cur.rowcount
    # Fresh statistics for the planner: with the old ones a county ranking sorted 50,000 rows
    # on disk (352 ms) where a hash aggregate takes 162 ms (docs/benchmarks-party.md).
    with connection.cursor() as cur:
        cur.execute("ANALYZE party_pointstally")
    return written


def points_balance(*, member=None, unit=None, officer=None, date_from: dt.date | None = None,
                   date_to: dt.date | None = None) -> int:
    """A subject's points, all time or within [date_from, date_to] (local dates)."""
    kind, obj = _subject(member, unit, officer)
    qs = PointsEntry.objects.filter(**{kind: obj})
    if date_from:
        qs = qs.filter(occurred_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)))
    if date_to:
        end = date_to + dt.timedelta(days=1)
        qs = qs.filter(occurred_at__lt=timezone.make_aware(dt.datetime.combine(end, dt.time.min)))
    return int(qs.aggregate(s=Sum("points"))["s"] or 0)
