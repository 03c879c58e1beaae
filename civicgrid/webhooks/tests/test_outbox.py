"""The outbox: delivery rows written with the ledger row, scoped to the partner, sent on commit."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from civicgrid.cases import services as case_services
from civicgrid.cases.hotline import import_orders
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.tasks import sweep
from civicgrid.webhooks import outbox
from civicgrid.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _create(loop, **kw):
    params = {"actor": loop.worker_a1, "item": loop.item_community, "text": "3栋楼道堆满杂物"}
    params.update(lon=114.005, lat=23.005, **kw)
    return case_services.case_create(**params)


def _orders(tmp_path, n):
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "诉求内容", "事项编码", "诉求人", "联系电话", "经度", "纬度"])
    for i in range(n):
        ws.append(
            [f"H{i:04d}", "楼道堆物", "TZ01-01", "王女士", "13800138000", "114.005", "23.005"]
        )
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    return path


def test_each_ledger_row_is_delivered_to_the_partner_that_may_see_it(
    partners, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _create(partners, reporter_name="王女士", reporter_phone="13800138000")
    row = WebhookDelivery.objects.get()
    assert (row.subscription, row.event_type, row.case) == (partners.sub_a, "case.created", case)
    assert row.status == "succeeded" and row.attempts == 1 and row.last_status_code == 200
    assert row.response_excerpt == "received 200" and row.delivered_at is not None
    assert [r["path"] for r in receiver.requests] == ["/hook/a"]  # partner B: another community
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "case.created" and body["id"] == f"ce-{case.events.get().pk}"
    assert body["case"]["number"] == case.number and body["case"]["grid_code"] == "G-A1"
    assert body["case"]["area_code"] == "441322001001" and body["case"]["item_code"] == "TZ01-01"
    raw = receiver.requests[0]["body"].decode()
    assert "王女士" not in raw and "13800138000" not in raw and "3栋楼道" not in raw

    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_transition(actor=partners.staff_a, case=case, action="accept")
    assert list(WebhookDelivery.objects.order_by("id").values_list("event_type", flat=True)) == [
        "case.created",
        "case.accepted",
    ]
    assert json.loads(receiver.requests[1]["body"])["case"]["status"] == "accepted"


def test_only_subscribed_event_types(partners, receiver, django_capture_on_commit_callbacks):
    from civicgrid.webhooks.services import subscription_update

    subscription_update(actor=None, subscription=partners.sub_a, events=["case.resolved"])
    with django_capture_on_commit_callbacks(execute=True):
        case = _create(partners)
        case_services.case_transition(actor=partners.staff_a, case=case, action="accept")
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


def test_a_dissatisfied_rating_is_a_reopen_and_notes_are_scrubbed(
    partners, django_capture_on_commit_callbacks
):
    step = case_services.case_transition
    case = _create(partners)
    for action, kw in [
        ("accept", {}),
        ("dispatch", {"to_area": partners.community_a}),
        ("start", {}),
        ("resolve", {"note": "已联系住户 13912345678 清理"}),
        ("rate", {"rating": "dissatisfied", "note": "没清干净"}),
    ]:
        case = step(actor=partners.staff_a, case=case, action=action, **kw)
    rows = WebhookDelivery.objects.filter(subscription=partners.sub_a).order_by("id")
    types = [r.event_type for r in rows]
    assert types[-2:] == ["case.resolved", "case.reopened"]
    resolved = rows.get(event_type="case.resolved")
    assert resolved.payload["note"] == "已联系住户 139****5678 清理"
    assert rows.get(event_type="case.reopened").payload["case"]["reopen_count"] == 1


def test_a_rolled_back_transaction_delivers_nothing(
    partners, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            _create(partners)
            assert WebhookDelivery.objects.count() == 1  # written with the case ...
            raise RuntimeError("the caller fails after the case was written")
    assert not Case.objects.exists() and not WebhookDelivery.objects.exists()  # ... and gone
    assert receiver.requests == []


def test_the_sweep_colours_reach_partners(partners, django_capture_on_commit_callbacks):
    late = _create(partners)
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(resolve_due=now - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now)
    overdue = WebhookDelivery.objects.get(event_type="case.overdue")
    assert overdue.subscription == partners.sub_a and overdue.case_id == late.pk
    assert overdue.payload["case"]["sla_state"] == "red" and overdue.case_event is None
    assert overdue.status == "succeeded"


def test_hotline_import_without_subscriptions_writes_no_rows_and_costs_no_query(
    loop, tmp_path, django_assert_num_queries
):
    path = _orders(tmp_path, 30)
    result = import_orders(actor=loop.staff_a, content=path.read_bytes(), filename=path.name)
    assert result.created == 30 and CaseEvent.objects.count() == 30
    assert not WebhookDelivery.objects.exists()
    events = list(CaseEvent.objects.all())
    with django_assert_num_queries(0):  # the empty subscription list is cached
        outbox.events_written(events)


def test_hotline_import_with_subscriptions_is_bulk(partners, tmp_path):
    path = _orders(tmp_path, 40)
    result = import_orders(actor=partners.staff_a, content=path.read_bytes(), filename=path.name)
    assert result.created == 40
    rows = WebhookDelivery.objects.filter(event_type="case.created")
    assert rows.count() == 40
    assert set(rows.values_list("subscription", flat=True)) == {partners.sub_a.pk}

    def queries(events):
        with CaptureQueriesContext(connection) as ctx:
            outbox.events_written(events)
        return len(ctx.captured_queries)

    # The hook's cost does not grow with the number of events: cases, partner accounts and
    # the insert, plus per subscription the partner's scope (two queries) and visible cases.
    events = list(CaseEvent.objects.all())
    assert queries(events[:2]) == queries(events) == 3 + 2 * 3


def test_an_inactive_partner_gets_nothing(partners):
    from civicgrid.partners.services import partner_set_active

    partner_set_active(actor=None, partner=partners.partner_a, active=False)
    outbox.invalidate()
    _create(partners)
    assert not WebhookDelivery.objects.exists()
