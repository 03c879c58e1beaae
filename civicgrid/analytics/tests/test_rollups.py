"""Rollups equal a direct count over the case table, whatever the case history (property test
through the real services, the hooks and the deadline sweep), and a rebuild gives the same:
both CaseRollup and CaseUnitRollup (the departments a case was dispatched to, counted once
each), every measure including the assessment's own numerators."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.analytics import rollups
from civicgrid.analytics.models import CaseRollup, CaseUnitRollup, RollupDirtyDay
from civicgrid.cases import services
from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.models import Case, CaseEvent, Department
from civicgrid.cases.services import SYSTEM
from civicgrid.cases.tasks import sweep
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit

from .fixtures import world  # noqa: F401

ACTIONS = ["accept", "dispatch", "dispatch_dept_a", "dispatch_dept_b", "start", "resolve", "rate",
           "close", "return", "escalate", "invalidate", "merge", "sweep"]  # fmt: skip
RATINGS = ["satisfied", "basically", "dissatisfied"]
DONE = {"resolved", "rated", "closed"}


def _facts(c) -> dict[str, bool]:
    """What each measure counts, written out from docs/analytics.md and docs/assessment.md."""
    is_open = c.status in OPEN_STATUSES
    done = c.status in DONE
    return {
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
        "accepted_in_time": c.status not in ("merged", "invalid")
        and c.accepted_at is not None
        and c.accept_due is not None
        and c.accepted_at <= c.accept_due,
        "done": done,
        "done_in_time": done
        and c.resolved_at is not None
        and c.resolve_due is not None
        and c.resolved_at <= c.resolve_due,
        "done_reopened": done and c.reopen_count > 0,
    }


def _expected() -> tuple[Counter, Counter]:
    """Count the raw cases in Python, independently of the rollup code: per CaseRollup key,
    and per CaseUnitRollup key (the holder, then each other unit a dispatch named)."""
    out: Counter = Counter()
    units: Counter = Counter()
    dispatched: dict[int, set] = {}
    for e in CaseEvent.objects.filter(action="dispatch"):
        if e.data.get("to_unit_id") is not None:
            dispatched.setdefault(e.case_id, set()).add(e.data["to_unit_id"])
    for c in Case.objects.all():
        day = timezone.localtime(c.created_at).date()
        key = (day, c.area_id, c.grid_id, c.item_id, c.handler_unit_id)
        unit_keys = [(day, c.area_id, c.handler_unit_id, True)] + [
            (day, c.area_id, u, False) for u in dispatched.get(c.pk, set()) - {c.handler_unit_id}
        ]
        for name, hit in _facts(c).items():
            if hit:
                out[(*key, name)] += 1
                for k in unit_keys:
                    units[(*k, name)] += 1
    return out, units


def _actual() -> tuple[Counter, Counter]:
    out: Counter = Counter()
    for r in CaseRollup.objects.all():
        for name in rollups.MEASURES:
            if getattr(r, name):
                out[(r.day, r.area_id, r.grid_id, r.item_id, r.unit_id, name)] += getattr(r, name)
    units: Counter = Counter()
    for r in CaseUnitRollup.objects.all():
        for name in rollups.MEASURES:
            if getattr(r, name):
                units[(r.day, r.area_id, r.unit_id, r.holder, name)] += getattr(r, name)
    return out, units


def _departments(county) -> list:
    """Two county departments to dispatch to (one sends a case back, the other takes it)."""
    if not hasattr(county, "departments"):
        county.departments = []
        for code, name in (("urban_management", "县城管局"), ("water", "县水务局")):
            unit = Unit.objects.create(name=name, kind=UnitKind.DEPARTMENT, area=county.county)
            Department.objects.create(unit=unit, department_type=code, county=county.county)
            county.departments.append(unit)
    return county.departments


def _apply(case, action, rating, target, departments):
    if action == "sweep":
        sweep(now=timezone.now() + dt.timedelta(days=30))
        return
    kwargs = {"note": "测试说明"}
    if action.startswith("dispatch_dept_"):
        kwargs["to_unit"] = departments[action.endswith("_b")]
        action = "dispatch"
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
    departments = _departments(world)
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
            _apply(case, action, rating, made[0], departments)
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


@pytest.mark.django_db
def test_a_department_counts_every_case_dispatched_to_it_once(world):  # noqa: F811
    a, b = _departments(world)

    def dispatch(case, unit):
        return services.case_transition(actor=SYSTEM, case=case, action="dispatch", to_unit=unit)

    moved = services.case_create(actor=world.worker_a1, item=world.lamp, text="路灯不亮了",
                                 grid=world.grid_a1)  # fmt: skip
    moved = services.case_transition(actor=SYSTEM, case=moved, action="accept")
    moved = dispatch(moved, a)
    moved = services.case_transition(actor=SYSTEM, case=moved, action="return", note="不属本部门")
    dispatch(moved, b)  # held by b now, dispatched to a before
    twice = services.case_create(actor=world.worker_a1, item=world.lamp, text="井盖缺失",
                                 grid=world.grid_a2)  # fmt: skip
    twice = services.case_transition(actor=SYSTEM, case=twice, action="accept")
    twice = dispatch(twice, a)
    twice = services.case_transition(actor=SYSTEM, case=twice, action="return", note="补充材料")
    dispatch(twice, a)  # a twice: held by a, counted once
    rollups.flush()
    rows = {
        (r.unit_id, r.holder): r.received for r in CaseUnitRollup.objects.filter(received__gt=0)
    }
    assert rows == {(b.pk, True): 1, (a.pk, False): 1, (a.pk, True): 1}
    per_unit = rollups.sums(CaseUnitRollup.objects.all(), ("unit_id",), ("received",))
    assert per_unit[(a.pk,)]["received"] == 2 and per_unit[(b.pk,)]["received"] == 1
    held = rollups.sums(CaseUnitRollup.objects.filter(holder=True), fields=("received",))
    assert held[()]["received"] == Case.objects.count() == 2
