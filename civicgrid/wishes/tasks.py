"""Background work: release claims not completed by their deadline. Enqueued by
``sweep_claims --loop N`` (or run once by the command); safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .services import release_overdue


def sweep() -> dict[str, int]:
    return {"released": release_overdue()}


@task()
def sweep_claims_task() -> dict[str, int]:
    return sweep()
