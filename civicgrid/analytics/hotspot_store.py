"""Storing hotspot findings as the alerts of a day: one row per day and key (a re-run updates
it), no repeat of a rise raised in the last `recent_days` days, nor of a cluster whose cases
were all in an earlier alert of the cluster window. An alert already decided is left alone."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.db import IntegrityError, transaction

from .models import Hotspot


def store(findings: list, day: dt.date, conf: dict) -> dict[str, int]:
    created = updated = skipped = 0
    recent_days = conf["recent_days"]
    earlier_cluster_cases: dict[int, set[int]] = defaultdict(set)
    cluster_days = max(1, math.ceil(conf["cluster_hours"] / 24))
    for h in Hotspot.objects.filter(
        kind=Hotspot.Kind.CLUSTER, day__gte=day - dt.timedelta(days=cluster_days), day__lt=day
    ).prefetch_related("cases"):
        earlier_cluster_cases[h.item_id].update(c.pk for c in h.cases.all())
    today_clusters = list(
        Hotspot.objects.filter(kind=Hotspot.Kind.CLUSTER, day=day).prefetch_related("cases")
    )
    for f in findings:
        if f.kind == Hotspot.Kind.RISE:
            if Hotspot.objects.filter(
                key=f.key, day__gte=day - dt.timedelta(days=recent_days - 1), day__lt=day
            ).exists():
                skipped += 1
                continue
            existing = Hotspot.objects.filter(day=day, key=f.key).first()
        else:
            if set(f.case_ids) <= earlier_cluster_cases[f.item_id]:
                skipped += 1
                continue
            existing = next(
                (
                    h
                    for h in today_clusters
                    if h.item_id == f.item_id and {c.pk for c in h.cases.all()} & set(f.case_ids)
                ),
                None,
            )
        if existing is not None:
            if existing.state == Hotspot.State.OPEN:
                existing.count, existing.baseline, existing.score = f.count, f.baseline, f.score
                existing.evidence = f.evidence
                existing.save(
                    update_fields=["count", "baseline", "score", "evidence", "updated_at"]
                )
                existing.cases.add(*f.case_ids)
            updated += 1
            continue
        try:
            with transaction.atomic():  # a concurrent run may have stored it a moment ago
                h = Hotspot.objects.create(
                    day=day,
                    key=f.key,
                    kind=f.kind,
                    level=f.level,
                    item_id=f.item_id,
                    group_id=f.group_id if f.item_id is None else None,
                    area_id=f.area_id,
                    grid_id=f.grid_id,
                    count=f.count,
                    baseline=f.baseline,
                    score=f.score,
                    evidence=f.evidence,
                )
        except IntegrityError:
            skipped += 1
            continue
        h.cases.set(f.case_ids)
        if f.kind == Hotspot.Kind.CLUSTER:
            today_clusters.append(h)
        created += 1
    return {"created": created, "updated": updated, "skipped": skipped}
