"""Rollups equal a direct count over the case table, whatever the case history (property test
through the real services, the hooks and the deadline sweep), and a rebuild gives the same."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.analytics import rollups
from civicgrid.analytics.models import CaseRollup, RollupDirtyDay
from civicgrid.cases import services
from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.models import Case
from civicgrid.cases.services import SYSTEM
from civicgrid.cases.tasks import sweep
from civicgrid.core.errors import ApplicationError

from .fixtures import world  # noqa: F401

ACTIONS = ["accept", "dispatch", "start", "resolve", "rate", "close", "return", "escalate",
           "invalidate", "merge", "sweep"]  # fmt: skip
RATINGS = ["satisfied", "basically", "dissatisfied"]


def _expected() -> Counter:
    """Count the raw cases in Python, independently of the rollup code."""
    out: Counter = Counter()
    for c in Case.objects.all():
        key = (timezone.localtime(c.created_at).date(), c.area_id, c.grid_id, c.item_id,
               c.handler_unit_id)  # fmt: skip
        is_open = c.status in OPEN_STATUSES
        facts = {
            "received": True,
            "accepted": c.accepted_at is not None,
            "accepted_on_time": c.accepted_at is not None
            and (c.accept_due is None or c.accepted_at <= c.accept_due),
            "resolved": c.resolved_at is not None,
            "resolved_on_time": c.resolved_at is not None
            and (c.resolve_due is None or c.resolved_at <= c.resolve_due),
            "satisfied": c.rating == "satisfied",
            "basically": c.rating == "basically",
            "dissatisfied": c.rating == "dissatisfied",
            "reopened": c.reopen_count > 0,
            "open": is_open,
            "warning_open": is_open and c.sla_state == "yellow",
            "overdue_open": is_open and c.sla_state == "red",
            "invalid": c.status == "invalid",
            "merged": c.status == "merged",
        }
        for name, hit in facts.items():
            if hit:
                out[(*key, name)] += 1
    return out


def _actual() -> Counter:
    out: Counter = Counter()
    for r in CaseRollup.objects.all():
        for name in rollups.MEASURES:
            if getattr(r, name):
                out[(r.day, r.area_id, r.grid_id, r.item_id, r.unit_id, name)] += getattr(r, name)
    return out


def _apply(case, action, rating, target):
    if action == "sweep":
        sweep(now=timezone.now() + dt.timedelta(days=30))
        return
    kwargs = {"note": "测试说明"}
    if action == "rate":
        kwargs["rating"] = rating
    if action == "merge":
        if target is None or target.pk == case.pk:
            return
        kwargs["merged_into"] = target
    try:
        services.case_transition(actor=SYSTEM, case=Case.objects.get(pk=case.pk), action=action,
                                 **kwargs)  # fmt: skip
    except ApplicationError:
        pass  # not allowed from this state: the history just goes on


case_plan = st.tuples(
    st.integers(0, 2),  # item
    st.integers(0, 3),  # grid
    st.integers(0, 40),  # days ago received
    st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(RATINGS)), max_size=8),
)


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(case_plan, min_size=1, max_size=5))
def test_rollups_equal_direct_count(world, plans):  # noqa: F811
    items = [world.lamp, world.manhole, world.garbage]
    grids = [world.grid_a1, world.grid_a2, world.grid_b1, world.grid_b2]
    made = []
    for item, grid, ago, steps in plans:
        case = services.case_create(actor=world.worker_a1, item=items[item], text="路灯不亮了",
                                    grid=grids[grid])  # fmt: skip
        if ago:
            # A case received earlier (as an import of old cases would write it): the old
            # day is marked like the hooks mark it.
            when = case.created_at - dt.timedelta(days=ago)
            Case.objects.filter(pk=case.pk).update(created_at=when)
            rollups.mark_days([rollups.local_day(when)])
        made.append(case)
        for action, rating in steps:
            _apply(case, action, rating, made[0])
    rollups.flush()
    assert not RollupDirtyDay.objects.exists()
    assert _actual() == _expected()
    before = _actual()
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _actual() == before


@pytest.mark.django_db
def test_a_change_marks_the_received_day_and_flush_clears_it(world):  # noqa: F811
    case = services.case_create(actor=world.worker_a1, item=world.lamp, text="路灯不亮了",
                                grid=world.grid_a1)  # fmt: skip
    day = rollups.local_day(case.created_at)
    assert RollupDirtyDay.objects.filter(day=day).exists()
    assert rollups.flush() == 1
    row = CaseRollup.objects.get(day=day)
    assert (row.received, row.open, row.grid_id) == (1, 1, world.grid_a1.pk)
    services.case_transition(actor=SYSTEM, case=case, action="invalidate", note="重复")
    assert rollups.flush() == 1
    row = CaseRollup.objects.get(day=day)
    assert (row.received, row.open, row.invalid) == (1, 0, 1)
    assert rollups.flush() == 0


@pytest.mark.django_db
def test_a_rolled_back_change_marks_nothing(world):  # noqa: F811
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_create(actor=world.worker_a1, item=world.lamp, text="路灯不亮了",
                             grid=world.grid_a1)  # fmt: skip
        raise RuntimeError
    assert not RollupDirtyDay.objects.exists()
