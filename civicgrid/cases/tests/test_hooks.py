"""The extension points: a hook module named in settings hears of every ledger row and of
each SLA colour change, inside the same transaction."""

import datetime as dt
import sys
import types

import pytest
from django.utils import timezone

from civicgrid.cases import hooks, services
from civicgrid.cases.choices import SlaState
from civicgrid.cases.models import Case
from civicgrid.cases.tasks import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder(settings):
    module = types.ModuleType("civicgrid_test_hook")
    module.events = []
    module.sla = []
    module.events_written = lambda events: module.events.extend(events)
    module.sla_changed = lambda ids, state: module.sla.append((sorted(ids), state))
    sys.modules[module.__name__] = module
    settings.CIVICGRID_CASE_HOOKS = [module.__name__]
    hooks._modules.cache_clear()
    yield module
    del sys.modules[module.__name__]
    hooks._modules.cache_clear()


def _create(loop, **kw):
    params = {"actor": loop.worker_a1, "item": loop.item_community, "text": "3栋楼道堆满杂物"}
    params.update(lon=114.005, lat=23.005, **kw)
    return services.case_create(**params)


def test_every_ledger_row_reaches_the_hook(recorder, loop):
    case = _create(loop)
    assert [e.action for e in recorder.events] == ["report"]
    assert recorder.events[0].case_id == case.pk
    services.case_transition(actor=loop.staff_a, case=case, action="accept")
    assert [e.action for e in recorder.events] == ["report", "accept"]
    assert all(e.pk for e in recorder.events)


def test_sweep_reports_the_cases_it_colours(recorder, loop):
    late, soon = _create(loop), _create(loop)
    now = timezone.now()
    Case.objects.filter(pk=late.pk).update(resolve_due=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=soon.pk).update(
        warn_at=now - dt.timedelta(hours=1), resolve_due=now + dt.timedelta(hours=5)
    )
    sweep(now)
    assert (sorted([late.pk]), SlaState.OVERDUE) in recorder.sla
    assert (sorted([soon.pk]), SlaState.WARNING) in recorder.sla
    recorder.sla.clear()
    sweep(now)  # nothing changes the second time, nothing is reported
    assert recorder.sla == []
