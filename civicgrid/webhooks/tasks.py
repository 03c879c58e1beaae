"""Background work for webhooks (django-tasks): send new deliveries, and the periodic sweep
that sends whatever is due (retries, and rows whose task was lost)."""

from __future__ import annotations

from django_tasks import task

from . import delivery


@task()
def deliver_task(delivery_ids: list[int]) -> dict[str, int]:
    return delivery.deliver(delivery_ids)


@task()
def sweep_task() -> dict[str, int]:
    return delivery.sweep()
