"""The demo county generator.

A system loader: areas and grids go through the geo services; everything below them is
written with bulk_create in batches, which bypasses the per-row services (and their scope
checks) for speed but produces the same data shape — materialised paths, bounding boxes,
encrypted PII with blind indexes (Resident.set_pii), area and grid on every scoped row.
Communities are streamed one at a time, each in its own transaction, so memory stays flat.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries, transaction
from tqdm import tqdm

from civicgrid.people.choices import DEFAULT_SPECIAL_GROUPS
from civicgrid.people.models import SpecialGroup

from .identity import NumberBook
from .logins import DEMO_PASSWORD, create_demo_logins
from .population import CommunityWriter
from .rows import RowWriter
from .scales import SCALES
from .structure import Skeleton


@dataclass
class Summary:
    scale: str
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def ensure_special_groups() -> dict[str, SpecialGroup]:
    for code, name in DEFAULT_SPECIAL_GROUPS:
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name})
    return {g.code: g for g in SpecialGroup.objects.all()}


def _tune_connection() -> None:
    """SQLite's default page cache (2 MB) is far smaller than the blind-index B-trees: with
    random keys every insert would go back to the file. Give this connection 512 MB."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -524288")


def _analyze() -> None:
    """Fresh planner statistics after a bulk load, so the first look-ups get good plans."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor in ("postgresql", "sqlite") else "SELECT 1")


def generate(*, scale: str = "small", seed: int = 2024, progress: bool = True) -> Summary:
    """Build the demo county into an empty database and create the demo logins."""
    started = time.monotonic()
    spec = SCALES[scale]
    summary = Summary(scale, seed)
    password_hash = make_password(DEMO_PASSWORD)  # one hash for every generated account
    skeleton = Skeleton(spec, seed, password_hash)
    _tune_connection()
    with tqdm(
        total=spec.residents,
        unit="人",
        desc="生成演示数据",
        file=sys.stderr,
        disable=not progress,
        unit_scale=True,
        dynamic_ncols=True,
    ) as bar:
        with transaction.atomic():
            groups = ensure_special_groups()
            skeleton.build_areas()
            skeleton.build_units_and_orgs()
            skeleton.build_staff()
        numbers = NumberBook()
        rows = RowWriter()
        county_orgs = skeleton.unit_orgs_by_street.get(skeleton.county.pk, [])
        for plan in skeleton.communities:
            bar.set_postfix_str(f"{plan.street.name}{plan.area.name}")
            writer = CommunityWriter(
                plan=plan,
                seed=seed,
                scale=spec,
                numbers=numbers,
                groups=groups,
                rows=rows,
                unit_orgs=skeleton.unit_orgs_by_street.get(plan.street.pk, []) + county_orgs,
            )
            with transaction.atomic():
                writer.write(on_grid=bar.update)
            for key, n in writer.counts.items():
                summary.counts[key] = summary.counts.get(key, 0) + n
            reset_queries()  # DEBUG settings keep every query: do not let them pile up
        _analyze()
        with transaction.atomic():
            rows.reset_sequences()
            create_demo_logins(seed=seed, password_hash=password_hash)
    summary.counts.update(skeleton.counts)
    summary.seconds = time.monotonic() - started
    return summary
