"""Scheduled report generation as a django-tasks task (enqueued by `make_report --loop`)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def make_due_task() -> int:
    return len(services.make_due())
