"""Scheduled retrain: a django-tasks task, enqueued by `retrain_classifier --every HOURS`
(like the deadline sweep's `sweep_cases --loop`); the worker (`db_worker`) runs it."""

from __future__ import annotations

from django_tasks import task


@task()
def retrain_task() -> dict:
    from . import services

    row = services.classifier_retrain(actor=None, note="scheduled")
    return {"version": row.version, "metrics": row.metrics.get("corpus", {}).get("top1")}
