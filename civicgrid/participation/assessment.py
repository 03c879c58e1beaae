"""The monthly property-company assessment: inspection score, owners' complaints, composite.

Weights (docs/participation.md):
- inspection score (0–100) = Σ(score / max × weight) / Σ weight × 100 over the active criteria;
- complaints = cases of a property matter (PROPERTY_ITEM_CODES) raised in the month in a grid
  of a compound the company serves; per 100 households of those compounds;
- complaint score = max(0, 100 − COMPLAINT_PENALTY × complaints per 100 households);
- composite = INSPECTION_WEIGHT × inspection score + COMPLAINT_WEIGHT × complaint score.
Only companies inspected in the month are ranked; the red list is the top RED_SIZE, the
yellow list the bottom RED_SIZE (each at most half of the ranked companies).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from .choices import ListKind

INSPECTION_WEIGHT = Decimal("0.6")
COMPLAINT_WEIGHT = Decimal("0.4")
COMPLAINT_PENALTY = Decimal("10")  # points per complaint per 100 households
LIST_SIZE = 10

# Matter items that are property management (物业专栏): catalogue codes.
DEFAULT_PROPERTY_ITEM_CODES = (
    "ZA01-04",  # 物业服务纠纷
    "MS01-01",  # 小区路灯楼道灯不亮
    "MS01-02",  # 小区公共设施损坏
    "MS01-03",  # 管道堵塞及污水外溢
    "AQ01-02",  # 楼道堆物
    "AQ01-03",  # 消防通道堵塞
    "AQ01-04",  # 电动自行车违规停放充电
    "ST01-01",  # 垃圾乱堆乱倒清运不及时
    "ST01-03",  # 垃圾分类投放不规范
)


def property_item_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "CIVICGRID_PROPERTY_ITEM_CODES", DEFAULT_PROPERTY_ITEM_CODES))


TWO = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def inspection_percent(lines: list[tuple[Decimal, int, Decimal]]) -> Decimal:
    """(score, max, weight) per criterion → 0–100."""
    total_weight = sum((Decimal(w) for _, _, w in lines), Decimal(0))
    if not lines or total_weight <= 0:
        return Decimal(0)
    acc = sum((Decimal(s) / Decimal(m) * Decimal(w) for s, m, w in lines if m), Decimal(0))
    return _q(acc / total_weight * 100)


def complaint_score(complaints: int, households: int) -> Decimal:
    per100 = Decimal(complaints) * 100 / Decimal(max(households, 1))
    return _q(max(Decimal(0), Decimal(100) - COMPLAINT_PENALTY * per100))


def composite(inspection: Decimal, complaint: Decimal) -> Decimal:
    return _q(INSPECTION_WEIGHT * inspection + COMPLAINT_WEIGHT * complaint)


@dataclass
class Row:
    company_id: int
    name: str
    households: int
    compounds: int
    complaints: int
    inspection_score: Decimal | None
    complaint_score: Decimal
    composite: Decimal | None
    rank: int | None = None
    list_kind: str = ListKind.NONE

    @property
    def per100(self) -> Decimal:
        return _q(Decimal(self.complaints) * 100 / Decimal(max(self.households, 1)))


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month.replace(day=1), dt.time(), tz)
    end_day = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return start, dt.datetime.combine(end_day, dt.time(), tz)


def complaint_cases(company_ids, start, end):
    """The property-matter cases of the companies' compounds raised in [start, end)."""
    return Case.objects.filter(
        grid__compound_link__compound__company_id__in=list(company_ids),
        item__code__in=property_item_codes(),
        created_at__gte=start,
        created_at__lt=end,
    )


def companies_in(area: Area, user=None):
    qs = Unit.objects.filter(kind=UnitKind.PROPERTY_COMPANY, area__path__startswith=area.path)
    if user is not None:
        qs = qs.restrict(user)
    return qs.order_by("name")


def compute(*, area: Area, month: dt.date, user=None) -> list[Row]:
    """Every property company of the area for one month, ranked; 4 queries."""
    from .models import Compound, Inspection

    companies = list(companies_in(area, user).only("id", "name"))
    ids = [c.pk for c in companies]
    start, end = month_bounds(month)
    homes = {
        r["company_id"]: r
        for r in Compound.objects.filter(company_id__in=ids)
        .values("company_id")
        .annotate(h=Sum("households"), n=Count("id"))
    }
    complaints = dict(
        complaint_cases(ids, start, end)
        .values("grid__compound_link__compound__company_id")
        .annotate(n=Count("id"))
        .values_list("grid__compound_link__compound__company_id", "n")
    )
    inspected = dict(
        Inspection.objects.filter(company_id__in=ids, month=month.replace(day=1)).values_list(
            "company_id", "score"
        )
    )
    rows = []
    for c in companies:
        h = homes.get(c.pk, {})
        n = complaints.get(c.pk, 0)
        households = h.get("h") or 0
        cs = complaint_score(n, households)
        insp = inspected.get(c.pk)
        rows.append(
            Row(
                company_id=c.pk,
                name=c.name,
                households=households,
                compounds=h.get("n") or 0,
                complaints=n,
                inspection_score=insp,
                complaint_score=cs,
                composite=composite(insp, cs) if insp is not None else None,
            )
        )
    ranked = sorted(
        (r for r in rows if r.composite is not None),
        key=lambda r: (-r.composite, r.complaints, r.name),
    )
    for i, r in enumerate(ranked, 1):
        r.rank = i
    size = min(LIST_SIZE, len(ranked) // 2)
    for r in ranked[:size]:
        r.list_kind = ListKind.RED
    for r in ranked[len(ranked) - size :] if size else []:
        r.list_kind = ListKind.YELLOW
    return ranked + [r for r in rows if r.composite is None]


def trend(*, company: Unit, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """The company's last `months` months: inspection, complaints, composite (3 queries)."""
    from .models import Compound, Inspection

    today = today or timezone.localdate()
    firsts = []
    m = today.replace(day=1)
    for _ in range(months):
        firsts.append(m)
        m = (m - dt.timedelta(days=1)).replace(day=1)
    firsts.reverse()
    start, _e = month_bounds(firsts[0])
    _s, end = month_bounds(firsts[-1])
    households = Compound.objects.filter(company=company).aggregate(h=Sum("households"))["h"] or 0
    counts: dict[dt.date, int] = defaultdict(int)
    for created in complaint_cases([company.pk], start, end).values_list("created_at", flat=True):
        counts[timezone.localtime(created).date().replace(day=1)] += 1
    scores = dict(
        Inspection.objects.filter(company=company, month__gte=firsts[0]).values_list(
            "month", "score"
        )
    )
    out = []
    for f in firsts:
        cs = complaint_score(counts[f], households)
        insp = scores.get(f)
        out.append(
            {
                "month": f"{f:%Y-%m}",
                "inspection": float(insp) if insp is not None else None,
                "complaints": counts[f],
                "composite": float(composite(insp, cs)) if insp is not None else None,
            }
        )
    return out
