import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.cases import assessment, services
from civicgrid.cases.choices import Rating
from civicgrid.cases.models import Case
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _run(loop, steps, item=None):
    case = services.case_create(
        actor=loop.worker_a1, item=item or loop.item_community, text="x", lon=114.005, lat=23.005
    )
    for action, actor, kw in steps:
        case = services.case_transition(actor=actor, case=case, action=action, **kw)
    return case


def test_community_figures_follow_the_written_definitions(loop):
    s, r = loop.staff_a, loop.resident_user
    full = [
        ("accept", s, {}),
        ("dispatch", s, {}),
        ("start", s, {}),
        ("resolve", s, {"note": "ok"}),
    ]
    a = _run(loop, full)  # resolved in time, unrated
    b = _run(loop, full)
    Case.objects.filter(pk=b.pk).update(reporter=r)
    b.refresh_from_db()
    services.case_transition(actor=r, case=b, action="rate", rating=Rating.SATISFIED)
    c = _run(loop, full)
    Case.objects.filter(pk=c.pk).update(reporter=r)
    c.refresh_from_db()
    services.case_transition(
        actor=r, case=c, action="rate", rating=Rating.DISSATISFIED
    )  # reopened, not done
    d = _run(loop, [("invalidate", s, {"note": "重复"})])  # excluded from rates
    e = _run(loop, [("accept", s, {})])
    Case.objects.filter(pk=e.pk).update(
        accepted_at=e.accept_due + dt.timedelta(minutes=1)
    )  # late acceptance
    Case.objects.filter(pk=a.pk).update(
        resolved_at=a.resolve_due + dt.timedelta(hours=1)
    )  # resolved late
    now = timezone.now()
    rows = assessment.for_areas(
        user=loop.street_staff,
        level=Area.Level.COMMUNITY,
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=1),
    )
    east = next(x for x in rows if x.name == loop.community_a.name)
    west = next(x for x in rows if x.name == loop.community_b.name)
    assert (east.received, east.valid) == (5, 4)
    assert (
        east.accepted_in_time == 3 and east.response_rate == 75.0
    )  # a, b, c in time; e late; d excluded
    assert (
        east.resolved == 2 and east.resolution_rate == 50.0
    )  # a (unrated, resolved) and b (rated)
    assert east.on_time_rate == 50.0  # b in time, a late
    assert east.rated == 2 and east.satisfaction_rate == 50.0  # b satisfied, c dissatisfied
    assert west.received == 0 and west.response_rate is None
    assert d.status == "invalid"


def test_staff_of_one_community_see_only_their_row(loop):
    now = timezone.now()
    rows = assessment.for_areas(
        user=loop.staff_a, level=Area.Level.COMMUNITY, start=now - dt.timedelta(days=1), end=now
    )
    assert [r.name for r in rows] == [loop.community_a.name]


def test_department_figures_count_dispatched_cases_and_whistles(loop):
    s = loop.staff_a
    _run(
        loop,
        [
            ("accept", s, {}),
            ("dispatch", s, {}),
            ("return", loop.dept_handler, {"note": "非本部门"}),
            ("dispatch", s, {"to_area": loop.community_a}),
        ],
        item=loop.item_department,
    )
    _run(
        loop,
        [
            ("accept", s, {}),
            ("dispatch", s, {}),
            ("start", loop.dept_handler, {}),
            ("resolve", loop.dept_handler, {"note": "ok"}),
        ],
        item=loop.item_department,
    )
    now = timezone.now()
    leader = make_user(Role.LEADER, area=loop.county, username="leader")
    assert (
        assessment.for_departments(user=loop.staff_a, start=now - dt.timedelta(days=1), end=now)
        == []
    )
    rows = assessment.for_departments(
        user=leader, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    )
    assert len(rows) == 1 and rows[0].received == 2 and rows[0].resolved == 1


def test_ranking_puts_missing_figures_last():
    f = assessment.Figures
    rows = [
        f(1, "甲", 0, 0, 0, 0, 0, 0, 0, 0),
        f(2, "乙", 2, 2, 2, 1, 1, 0, 0, 0),
        f(3, "丙", 2, 2, 2, 2, 2, 0, 0, 0),
    ]
    assert [r.name for r in assessment.ranked(rows)] == ["丙", "乙", "甲"]
