"""Background work: the daily hotspot detection (a django-tasks task, enqueued by the
`detect_hotspots --loop N` command, like the deadline sweep); safe to run again."""

from __future__ import annotations

from django_tasks import task

from .hotspots import detect


@task()
def detect_hotspots_task() -> dict[str, int]:
    return detect()


@task()
def flush_rollups_task() -> int:
    """Recount the rollup days that case changes have marked (civicgrid.analytics.rollups)."""
    from .rollups import flush

    return flush()
