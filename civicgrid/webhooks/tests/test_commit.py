"""With real commits (transactional tests): a committed case is delivered by the worker task
that runs on commit; a rolled-back one leaves no row and sends nothing."""

import json

import pytest
from django.db import transaction

from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case
from civicgrid.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def _create(loop):
    return case_services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="楼道堆物", lon=114.005, lat=23.005
    )


def test_commit_sends_and_rollback_sends_nothing(partners, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        _create(partners)
        raise RuntimeError("rolled back")
    assert not Case.objects.exists() and not WebhookDelivery.objects.exists()
    assert receiver.requests == []

    case = _create(partners)  # commits; the task runs on commit (immediate backend in tests)
    row = WebhookDelivery.objects.get()
    assert row.status == "succeeded" and row.case == case
    assert [json.loads(r["body"])["case"]["number"] for r in receiver.requests] == [case.number]
