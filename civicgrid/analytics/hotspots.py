"""Detection of emerging problems (苗头性问题), run daily (`detect_hotspots`, docs/hotspots.md).

(a) Rise above baseline: for every category (catalogue item, and catalogue group) in every
    grid, community and street, the cases of the last 7 days are compared with the same
    place's own weekly mean over the 8 weeks before. An alert needs at least `min_count`
    cases, at least `min_ratio` times the expected number, and a Poisson tail probability
    P(X >= k | expected) of at most `max_p`. The expected number has a floor
    (`baseline_floor` per week) so that a place with no history does not alert on a few
    cases. An alert at a coarser level (or for a group) is left out when finer alerts
    (or item alerts) inside it account for at least half of its excess.
(b) Space-time clusters: cases of one item reported in the last 72 hours, at least 3 of
    them within 300 m of each other (DBSCAN, haversine metric; a cluster may chain through
    its core points).

Merged and invalid cases are not counted. Alerts are keyed by what they are about, one row
per day and key: a second run on the same day updates rather than duplicates, and a rise
already raised in the last 7 days (or a cluster whose cases were all in an earlier alert) is
not raised again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from civicgrid.cases.choices import Status
from civicgrid.cases.models import Case, MatterItem
from civicgrid.geo.models import Area, Grid

from .hotspot_store import store
from .models import Hotspot

DEFAULTS = {
    "recent_days": 7,
    "baseline_weeks": 8,
    "min_count": 5,
    "min_ratio": 2.0,
    "max_p": 0.001,
    "baseline_floor": 0.5,
    "cluster_radius_m": 300,
    "cluster_hours": 72,
    "cluster_min_cases": 3,
}
EARTH_RADIUS_M = 6_371_008.8
NOT_COUNTED = (Status.MERGED, Status.INVALID)
LEVELS = (  # finest first: suppression looks at finer alerts already found
    (Hotspot.Level.GRID, "grid_id"),
    (Hotspot.Level.COMMUNITY, "area_id"),
    (Hotspot.Level.STREET, "area__parent_id"),
)
CATEGORIES = (("item", "item_id"), ("group", "item__group_id"))


def config() -> dict:
    conf = dict(DEFAULTS)
    conf.update(getattr(settings, "CIVICGRID_HOTSPOTS", {}) or {})
    return conf


def poisson_tail(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu)."""
    from scipy.stats import poisson

    return float(poisson.sf(k - 1, mu))


@dataclass
class Finding:
    kind: str
    level: str
    key: str
    area_id: int
    grid_id: int | None
    item_id: int | None
    group_id: int | None
    count: int
    baseline: float
    score: float
    case_ids: list[int]
    evidence: dict = field(default_factory=dict)
    street_id: int | None = None
    community_id: int | None = None
    excess: float = 0.0


def _places():
    """grid -> (community, street), community -> street."""
    grids = {
        g: (c, s)
        for g, c, s in Grid.objects.values_list("id", "community_id", "community__parent_id")
    }
    communities = dict(
        Area.objects.filter(level=Area.Level.COMMUNITY).values_list("id", "parent_id")
    )
    return grids, communities


def _counted():
    return Case.objects.exclude(status__in=NOT_COUNTED).order_by()


def find_rises(now: dt.datetime, conf: dict) -> list[Finding]:
    recent_start = now - dt.timedelta(days=conf["recent_days"])
    base_start = recent_start - dt.timedelta(weeks=conf["baseline_weeks"])
    scale = conf["recent_days"] / 7.0
    grids, communities = _places()
    groups = dict(MatterItem.objects.values_list("id", "group_id"))
    found: list[Finding] = []
    window = _counted().filter(created_at__gte=base_start, created_at__lt=now)
    for level, place in LEVELS:
        for cat, cat_field in CATEGORIES:
            rows = (
                window.filter(**{f"{place}__isnull": False})
                .values(place, cat_field)
                .annotate(
                    recent=Count("id", filter=Q(created_at__gte=recent_start)),
                    base=Count("id", filter=Q(created_at__lt=recent_start)),
                )
                .filter(recent__gte=conf["min_count"])
            )
            for row in rows:
                k, base = row["recent"], row["base"]
                weekly = base / conf["baseline_weeks"]
                expected = max(weekly, conf["baseline_floor"]) * scale
                if k < conf["min_ratio"] * expected:
                    continue
                p = poisson_tail(k, expected)
                if p > conf["max_p"]:
                    continue
                place_id, cat_id = row[place], row[cat_field]
                if level == Hotspot.Level.GRID:
                    community, street = grids[place_id]
                    area_id, grid_id = community, place_id
                elif level == Hotspot.Level.COMMUNITY:
                    community, street = place_id, communities.get(place_id)
                    area_id, grid_id = place_id, None
                else:
                    community, street = None, place_id
                    area_id, grid_id = place_id, None
                found.append(
                    Finding(
                        kind=Hotspot.Kind.RISE,
                        level=level,
                        key=f"rise:{cat}:{cat_id}:{level}:{place_id}",
                        area_id=area_id,
                        grid_id=grid_id,
                        item_id=cat_id if cat == "item" else None,
                        group_id=cat_id if cat == "group" else groups.get(cat_id),
                        count=k,
                        baseline=round(weekly, 3),
                        score=round(-math.log10(max(p, 1e-300)), 2),
                        case_ids=[],
                        evidence={
                            "recent_days": conf["recent_days"],
                            "baseline_weeks": conf["baseline_weeks"],
                            "baseline_total": base,
                            "weekly_mean": round(weekly, 3),
                            "expected": round(expected, 3),
                            "ratio": round(k / expected, 2),
                            "p_value": p,
                            "window": [recent_start.isoformat(), now.isoformat()],
                            "place_field": place,
                            "category": cat,
                        },
                        street_id=street,
                        community_id=community,
                        excess=k - expected,
                    )
                )
    kept = _suppress(found)
    for f in kept:
        _rise_cases(f, recent_start, base_start, now, conf)
    return kept


def _contains(coarse: Finding, fine: Finding) -> bool:
    """True if `fine` is inside `coarse` (same or finer place) for the same or a narrower
    category, and is not `coarse` itself."""
    if fine is coarse:
        return False
    if coarse.item_id is not None and fine.item_id != coarse.item_id:
        return False
    if coarse.item_id is None and fine.group_id != coarse.group_id:
        return False
    order = [lvl for lvl, _ in LEVELS]
    if order.index(fine.level) > order.index(coarse.level):
        return False
    if order.index(fine.level) == order.index(coarse.level):
        # same place, narrower category (an item inside a group alert)
        return (
            fine.key.split(":")[-1] == coarse.key.split(":")[-1]
            and coarse.item_id is None
            and fine.item_id is not None
        )
    if coarse.level == Hotspot.Level.COMMUNITY:
        return fine.community_id == coarse.area_id
    return fine.street_id == coarse.area_id


def _suppress(found: list[Finding]) -> list[Finding]:
    kept = []
    for f in found:
        inner = sum(g.excess for g in found if _contains(f, g))
        if inner >= 0.5 * f.excess and inner > 0:
            continue
        kept.append(f)
    return kept


def _rise_cases(f: Finding, recent_start, base_start, now, conf) -> None:
    place = f.evidence["place_field"]
    place_id = int(f.key.split(":")[-1])
    cat_field = "item_id" if f.item_id is not None else "item__group_id"
    cat_id = f.item_id if f.item_id is not None else f.group_id
    rows = (
        _counted()
        .filter(
            **{place: place_id, cat_field: cat_id}, created_at__gte=base_start, created_at__lt=now
        )
        .values_list("id", "created_at", "lon", "lat")
    )
    weeks = [0] * conf["baseline_weeks"]
    points = []
    for pk, created, lon, lat in rows:
        if created >= recent_start:
            f.case_ids.append(pk)
            if lon is not None and lat is not None:
                points.append((lon, lat))
        else:
            w = int((recent_start - created) / dt.timedelta(weeks=1))
            if 0 <= w < len(weeks):
                weeks[len(weeks) - 1 - w] += 1
    f.case_ids.sort()
    f.evidence["baseline_by_week"] = weeks  # oldest first
    f.evidence.update(_geometry(points))


def _geometry(points) -> dict:
    if not points:
        return {}
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return {
        "centroid": [round(sum(xs) / len(xs), 6), round(sum(ys) / len(ys), 6)],
        "bbox": [min(xs), min(ys), max(xs), max(ys)],
    }


def find_clusters(now: dt.datetime, conf: dict) -> list[Finding]:
    import numpy as np
    from sklearn.cluster import DBSCAN

    since = now - dt.timedelta(hours=conf["cluster_hours"])
    rows = list(
        _counted()
        .filter(created_at__gte=since, created_at__lt=now, lon__isnull=False, lat__isnull=False)
        .values_list(
            "id",
            "item_id",
            "item__group_id",
            "lon",
            "lat",
            "area_id",
            "area__parent_id",
            "grid_id",
            "created_at",
        )
    )
    by_item: dict[int, list] = defaultdict(list)
    for r in rows:
        by_item[r[1]].append(r)
    eps = conf["cluster_radius_m"] / EARTH_RADIUS_M
    found = []
    for item_id, members in by_item.items():
        if len(members) < conf["cluster_min_cases"]:
            continue
        coords = np.radians([[m[4], m[3]] for m in members])
        labels = DBSCAN(
            eps=eps,
            min_samples=conf["cluster_min_cases"],
            metric="haversine",
            algorithm="ball_tree",
        ).fit_predict(coords)
        for label in sorted(set(labels) - {-1}):
            cluster = [m for m, lab in zip(members, labels, strict=True) if lab == label]
            communities = {m[5] for m in cluster}
            streets = {m[6] for m in cluster}
            grids = {m[7] for m in cluster}
            if len(grids) == 1 and None not in grids:
                level, area_id, grid_id = Hotspot.Level.GRID, cluster[0][5], cluster[0][7]
            elif len(communities) == 1:
                level, area_id, grid_id = Hotspot.Level.COMMUNITY, cluster[0][5], None
            else:
                level, area_id, grid_id = Hotspot.Level.STREET, sorted(streets)[0], None
            ids = sorted(m[0] for m in cluster)
            geo = _geometry([(m[3], m[4]) for m in cluster])
            times = sorted(m[8] for m in cluster)
            found.append(
                Finding(
                    kind=Hotspot.Kind.CLUSTER,
                    level=level,
                    key=f"cluster:item:{item_id}:{ids[0]}",
                    area_id=area_id,
                    grid_id=grid_id,
                    item_id=item_id,
                    group_id=cluster[0][2],
                    count=len(ids),
                    baseline=0,
                    score=float(len(ids)),
                    case_ids=ids,
                    evidence={
                        "radius_m": conf["cluster_radius_m"],
                        "hours": conf["cluster_hours"],
                        "min_cases": conf["cluster_min_cases"],
                        "first": times[0].isoformat(),
                        "last": times[-1].isoformat(),
                        "span_m": round(_span_m(geo.get("bbox"))),
                        **geo,
                    },
                )
            )
    return found


def _span_m(bbox) -> float:
    if not bbox:
        return 0.0
    x0, y0, x1, y1 = bbox
    from civicgrid.intake.duplicates import distance_m

    return distance_m(x0, y0, x1, y1)


def detect(now: dt.datetime | None = None) -> dict[str, int]:
    """Find rises and clusters up to `now` and store them as the alerts of that day."""
    now = now or timezone.now()
    conf = config()
    findings = find_rises(now, conf) + find_clusters(now, conf)
    with transaction.atomic():
        result = store(findings, timezone.localdate(now), conf)
    result["found"] = len(findings)
    return result
