"""Demo data for the case loop: department registrations and a few hundred cases in every
state, spread over the last weeks, so queues, colours and assessment have something to show.
Called by `manage.py demo` after the county exists. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from shapely.geometry import shape

from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import RoleAssignment, Unit

from . import services
from .choices import Rating, Tier
from .models import Case, Department, MatterItem
from .tasks import sweep

# Department unit names (by their ending) → department type of the catalogue.
NAME_TO_TYPE = [
    ("公安局", "public_security"),
    ("城市管理和综合执法局", "urban_management"),
    ("住房和城乡建设局", "housing"),
    ("生态环境分局", "ecology_environment"),
    ("市场监督管理局", "market_regulation"),
    ("人力资源和社会保障局", "human_resources"),
    ("应急管理局", "emergency_management"),
    ("水务局", "water"),
    ("供电局", "power"),
    ("自然资源局", "natural_resources"),
    ("交通运输局", "transport"),
    ("卫生健康局", "health"),
    ("教育局", "education"),
    ("民政局", "civil_affairs"),
    ("司法局", "justice"),
    ("农业农村局", "agriculture"),
    ("信访局", "petition"),
    ("消防救援大队", "fire"),
]


def register_departments(county: Area) -> int:
    n = 0
    for unit in Unit.objects.filter(kind=UnitKind.DEPARTMENT, area=county):
        for suffix, dtype in NAME_TO_TYPE:
            if unit.name.endswith(suffix):
                _obj, created = Department.objects.get_or_create(
                    county=county, department_type=dtype, defaults={"unit": unit}
                )
                n += created
                break
    return n


# How far each demo case goes along the loop.
_PATHS = [
    [],
    ["accept"],
    ["accept", "dispatch"],
    ["accept", "dispatch", "start"],
    ["accept", "dispatch", "start", "resolve"],
    ["accept", "dispatch", "start", "resolve", "rate"],
    ["accept", "dispatch", "start", "resolve", "rate", "close"],
    ["accept", "dispatch", "start", "resolve", "rate", "close"],
    ["accept", "dispatch", "start", "resolve", "rate", "close"],
]


@transaction.atomic
def seed_cases(*, county: Area, seed: int = 1, per_community: int = 40) -> int:
    rng = random.Random(seed)
    items = list(MatterItem.objects.filter(active=True).order_by("code"))
    community_items = [i for i in items if i.level == Tier.COMMUNITY]
    workers = {
        ra.grid_id: ra.user
        for ra in RoleAssignment.objects.filter(role=Role.GRID_WORKER)
        .select_related("user")
        .order_by("id")
    }
    created = 0
    now = timezone.now()
    communities = Area.objects.filter(
        level=Area.Level.COMMUNITY, path__startswith=county.path
    ).order_by("code")
    for community in communities:
        grids = list(
            Grid.objects.filter(community=community, kind=Grid.Kind.COMPREHENSIVE).order_by("code")
        )
        for _ in range(per_community):
            grid = rng.choice(grids)
            item = rng.choice(community_items if rng.random() < 0.6 else items)
            poly = shape(grid.geometry)
            x0, y0, x1, y1 = poly.bounds
            for _try in range(20):
                lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if poly.contains(shape({"type": "Point", "coordinates": [lon, lat]})):
                    break
            words = (
                "、".join(rng.sample(item.keywords, k=min(2, len(item.keywords))))
                if item.keywords
                else ""
            )
            text = f"{item.description or item.name} 现场情况:{words}。"
            case = services.case_create(
                actor=workers.get(grid.pk),
                item=item,
                text=text,
                lon=lon,
                lat=lat,
                source=rng.choice(["patrol", "patrol", "resident", "hotline"]),
                idempotency_key=f"demo:{seed}:{community.code}:{created}",
            )
            for action in rng.choice(_PATHS):
                kw = {}
                if action == "resolve":
                    kw["note"] = "已到现场处置完毕。"
                if action == "rate":
                    kw["rating"] = rng.choice(
                        [Rating.SATISFIED] * 6 + [Rating.BASICALLY] * 2 + [Rating.DISSATISFIED]
                    )
                if case.status == "reopened":
                    break
                case = services.case_transition(
                    actor=services.SYSTEM, case=case, action=action, **kw
                )
            # Spread over the last four weeks: shift every stored time back together.
            # Finished cases go back up to four weeks; open ones a few days, so some are due soon,
            # some overdue, most on time.
            days = (
                rng.randint(0, 27)
                if case.status in ("closed", "rated")
                else rng.choice([0, 0, 0, 1, 1, 2, 4])
            )
            back = dt.timedelta(days=days, hours=rng.randint(0, 10))
            shifted = {
                f: F(f) - back for f in ("created_at", "accept_due", "resolve_due", "warn_at")
            }
            for f in ("accepted_at", "resolved_at", "closed_at"):
                if getattr(case, f):
                    shifted[f] = F(f) - back
            Case.objects.filter(pk=case.pk).update(**shifted)
            case.events.update(at=F("at") - back)
            created += 1
    sweep(now)
    return created
