"""Scheduled retrain: a django-tasks task, enqueued by `retrain_classifier --every HOURS`
(like the deadline sweep's `sweep_cases --loop`) when a retrain is due; the worker
(`db_worker`) runs it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task


def retrain_due(hours: float) -> bool:
    """Whether the newest trained version is at least `hours` old, or there is none."""
    from .models import ClassifierKind, ClassifierVersion

    newest = (
        ClassifierVersion.objects.filter(kind=ClassifierKind.TRAINED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return newest is None or timezone.now() - newest >= dt.timedelta(hours=hours)


@task()
def retrain_task() -> dict:
    from . import services

    row = services.classifier_retrain(actor=None, note="scheduled")
    return {"version": row.version, "metrics": row.metrics.get("corpus", {}).get("top1")}
