import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.analytics import rollups
from civicgrid.analytics.models import Hotspot
from civicgrid.cases import services
from civicgrid.cases.choices import SlaState
from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import loop  # noqa: F401  (fixture)
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

DAY = dt.date(2026, 10, 14)  # a Wednesday in ISO week 2026-W42


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def reports_dir(settings, tmp_path):
    settings.CIVICGRID_REPORT_DIR = tmp_path / "reports"
    return settings.CIVICGRID_REPORT_DIR


@pytest.fixture
def county(loop):  # noqa: F811
    """The loop county with cases on fixed days: mostly DAY, some the day before, last month."""
    s = loop.staff_a
    full = [("accept", {}), ("dispatch", {}), ("start", {}), ("resolve", {"note": "ok"})]

    def run(steps, *, lon=114.005, item=None, day=DAY, actor=None):
        case = services.case_create(
            actor=actor or loop.worker_a1,
            item=item or loop.item_community,
            text="x",
            lon=lon,
            lat=23.005,
        )
        for action, kw in steps:
            case = services.case_transition(actor=s, case=case, action=action, **kw)
        Case.objects.filter(pk=case.pk).update(created_at=at(day))
        return case

    loop.resolved = [run(full), run(full), run(full)]
    loop.invalid = run([("invalidate", {"note": "重复"})])
    loop.accepted = run([("accept", {})])
    Case.objects.filter(pk=loop.accepted.pk).update(sla_state=SlaState.OVERDUE)
    loop.other_item = run([("accept", {}), ("dispatch", {})], item=loop.item_department)
    loop.yesterday = [run([], day=DAY - dt.timedelta(days=1)) for _ in range(2)]
    loop.last_month = run(full, day=dt.date(2026, 9, 20))
    loop.in_b = [run([], lon=114.025, actor=loop.staff_b) for _ in range(2)]
    loop.hotspot = Hotspot.objects.create(
        day=DAY,
        key="rise:item:1:community:1",
        kind=Hotspot.Kind.RISE,
        level=Hotspot.Level.COMMUNITY,
        area=loop.community_a,
        item=loop.item_community,
        count=7,
    )
    loop.leader = make_user(Role.LEADER, area=loop.county, username="leader")
    # The raw updates above (received days, a colour) go round the case hooks, like a bulk
    # load: recount the rollups, as docs/analytics.md says to after one.
    rollups.rebuild()
    return loop
