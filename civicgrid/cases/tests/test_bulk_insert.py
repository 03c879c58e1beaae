"""The fast insert path writes what the ORM would write, and never reuses an id."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core import bulk
from civicgrid.core.crypto import decrypt

pytestmark = pytest.mark.django_db


def _built(loop, n, **kw):
    community = loop.grid_a1.community
    now = timezone.now()
    return [
        services.build_case(
            actor=loop.staff_a,
            item=loop.item_community,
            text=f"楼道堆放杂物 {i}",
            source="hotline",
            located=True,
            grid=loop.grid_a1,
            suggested=None,
            community=community,
            now=now,
            reporter_phone="13800138000",
            **kw,
        )
        for i in range(n)
    ]


def test_rows_read_back_as_the_orm_writes_them(loop):
    fast = _built(loop, 3)
    orm = _built(loop, 1)[0]
    with transaction.atomic():
        bulk.insert(fast)
    orm.save()
    assert all(c.pk for c in fast) and len({c.pk for c in fast}) == 3
    for case in fast:
        got = Case.objects.get(pk=case.pk)
        ref = Case.objects.get(pk=orm.pk)
        assert got.limits == ref.limits and isinstance(got.limits, dict)
        assert got.reporter_phone == "13800138000"  # decrypted by the field
        assert got.resolve_due == case.resolve_due and got.resolve_due.tzinfo is not None
        assert got.created_at is not None and abs(got.created_at - ref.created_at) < dt.timedelta(
            minutes=1
        )
        assert got.search_text == case.search_text and got.grid_id == loop.grid_a1.pk
    with connection.cursor() as cur:  # at rest the phone is ciphertext, as with save()
        cur.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [fast[0].pk])
        stored = cur.fetchone()[0]
    assert "13800138000" not in stored and decrypt(stored) == "13800138000"


def test_ids_are_never_handed_out_twice(loop):
    first = _built(loop, 2)
    with transaction.atomic():
        bulk.insert(first)
    top = max(c.pk for c in first)
    Case.objects.filter(pk=top).delete()  # the highest id is gone, but stays used
    second = _built(loop, 2)
    with transaction.atomic():
        bulk.insert(second)
    assert min(c.pk for c in second) > top
    third = _built(loop, 1)[0]
    third.save()  # and the ORM's own sequence moves on past them too
    assert third.pk > max(c.pk for c in second)


def test_related_rows_follow_with_their_own_ids(loop):
    cases = _built(loop, 2)
    with transaction.atomic():
        bulk.insert(cases)
        events = [
            CaseEvent(case=c, actor=None, action="report", to_status="reported") for c in cases
        ]
        bulk.insert(events)
    assert [
        e.case_id for e in CaseEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")
    ] == [c.pk for c in cases]
    assert all(e.data == {} for e in CaseEvent.objects.filter(pk__in=[e.pk for e in events]))
