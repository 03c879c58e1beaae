"""Sending: signature and headers, retries with backoff, dead after the last attempt, leases."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.webhooks import delivery, services, signing
from civicgrid.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _create(loop):
    return case_services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="楼道堆物", lon=114.005, lat=23.005
    )


def _created(partners, run_on_commit):
    with run_on_commit(execute=True):
        case = _create(partners)
    return case, WebhookDelivery.objects.get(case=case)


def test_signature_and_headers_verify_as_documented(
    partners, receiver, django_capture_on_commit_callbacks
):
    _case, row = _created(partners, django_capture_on_commit_callbacks)
    req = receiver.requests[0]
    headers = req["headers"]
    assert headers["x-civicgrid-event"] == "case.created"
    assert headers["x-civicgrid-delivery"] == str(row.pk)
    assert headers["content-type"] == "application/json; charset=utf-8"
    # The receiver's check, spelt out as in docs/webhooks.md.
    parts = dict(p.split("=", 1) for p in headers["x-civicgrid-signature"].split(","))
    message = parts["t"].encode() + b"." + req["body"]
    expected = hmac.new(partners.secret_a.encode(), message, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - timezone.now().timestamp()) < 60
    assert signing.verify(partners.secret_a, req["body"], headers["x-civicgrid-signature"])
    assert not signing.verify(partners.secret_b, req["body"], headers["x-civicgrid-signature"])
    assert not signing.verify(
        partners.secret_a, req["body"] + b" ", headers["x-civicgrid-signature"]
    )
    assert json.loads(req["body"]) == row.payload


def test_a_500_is_retried_with_backoff_then_succeeds(
    partners, receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [500, 200]
    _case, row = _created(partners, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 1, 500)
    assert row.last_error == "HTTP 500" and row.response_excerpt == "received 500"
    wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
    assert wait == 60
    assert delivery.sweep(now=timezone.now())["succeeded"] == 0  # not due yet
    counts = delivery.sweep(now=row.next_attempt_at + dt.timedelta(seconds=1))
    assert counts["succeeded"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("succeeded", 2, 200)
    assert row.next_attempt_at is None and row.last_error == ""
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    delivery_ids = {r["headers"]["x-civicgrid-delivery"] for r in receiver.requests}
    assert delivery_ids == {str(row.pk)}  # the receiver can de-duplicate retries


def test_dead_after_the_last_attempt(
    partners, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_WEBHOOK_BACKOFF = [60, 300]
    receiver.codes = [503]
    _case, row = _created(partners, django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(days=1)
    delivery.sweep(now=later)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert (row.next_attempt_at - row.last_attempt_at).total_seconds() == 300
    delivery.sweep(now=later + dt.timedelta(days=1))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 3, None)
    delivery.sweep(now=later + dt.timedelta(days=30))
    assert len(receiver.requests) == 3  # nothing more is sent


def test_no_answer_is_a_failure(partners, django_capture_on_commit_callbacks):
    from civicgrid.webhooks.models import WebhookSubscription

    # A port nobody listens on (the receiver fixture's server is not used here).
    WebhookSubscription.objects.filter(pk=partners.sub_a.pk).update(url="http://127.0.0.1:9/x")
    _case, row = _created(partners, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == "failed" and row.last_status_code is None
    assert "refused" in row.last_error.lower() or "error" in row.last_error.lower()


def test_a_redirect_is_not_followed(partners, receiver, django_capture_on_commit_callbacks):
    receiver.codes = [302]
    _case, row = _created(partners, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.status, row.last_status_code) == ("failed", 302) and len(receiver.requests) == 1


def test_a_claimed_delivery_is_not_sent_twice(partners, receiver):
    _create(partners)  # no on-commit: the row waits for a worker
    row = WebhookDelivery.objects.get()
    now = timezone.now()
    assert delivery.claim([row.pk], now) == [row.pk]
    assert delivery.claim([row.pk], now) == []  # held by the first worker
    assert delivery.sweep(now=now)["succeeded"] == 0 and receiver.requests == []
    # A worker that died: its lease runs out and the sweep sends the row.
    assert delivery.sweep(now=now + dt.timedelta(minutes=5))["succeeded"] == 1
    assert len(receiver.requests) == 1


def test_deliveries_of_a_deactivated_subscription_die_unsent(partners, receiver):
    _create(partners)
    services.subscription_update(actor=None, subscription=partners.sub_a, active=False)
    assert delivery.sweep(now=timezone.now())["dead"] == 1
    row = WebhookDelivery.objects.get()
    assert row.status == "dead" and row.attempts == 0 and "停用" in row.last_error
    assert receiver.requests == []


def test_the_command_sends_what_is_due(partners, receiver):
    from django.core.management import call_command

    _create(partners)
    call_command("webhook_deliver")
    assert WebhookDelivery.objects.get().status == "succeeded" and len(receiver.requests) == 1
