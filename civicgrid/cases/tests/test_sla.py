import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from civicgrid.cases import calendar, sla
from civicgrid.cases.choices import ResolveKind, SlaState
from civicgrid.cases.models import WorkCalendarDay

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_overrides(db):
    calendar.overrides_changed()
    yield
    calendar.overrides_changed()


def test_national_day_holidays_and_adjusted_saturday():
    # 2026: 1–7 October are holidays; Saturday 10 October is an adjusted working day.
    assert not calendar.is_workday(dt.date(2026, 10, 1))
    assert calendar.is_workday(dt.date(2026, 10, 10))
    assert not calendar.is_workday(dt.date(2026, 10, 11))


def test_working_days_skip_the_golden_week():
    due = sla.resolve_due(at(2026, 9, 30), kind=ResolveKind.WORKING_DAYS, days=3)
    assert due == at(2026, 10, 10, 18)  # 8th, 9th, and the adjusted Saturday 10th


def test_same_day_before_and_after_hours():
    assert sla.resolve_due(at(2026, 11, 18, 9), kind=ResolveKind.SAME_DAY) == at(2026, 11, 18, 18)
    # Reported Friday evening: due at the end of Monday.
    assert sla.resolve_due(at(2026, 11, 20, 19), kind=ResolveKind.SAME_DAY) == at(2026, 11, 23, 18)


def test_urgent_hours_are_clock_hours():
    assert sla.resolve_due(at(2026, 11, 21, 23), kind=ResolveKind.SAME_DAY, urgent_hours=2) == at(
        2026, 11, 22, 1
    )


def test_overrides_win_and_years_without_data_fall_back_to_weekdays():
    WorkCalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    calendar.overrides_changed()
    assert not calendar.is_workday(dt.date(2027, 1, 1))  # a Friday, made a holiday by the override
    assert calendar.is_workday(dt.date(2027, 1, 4))  # Monday, no data: weekday rule
    assert not calendar.is_workday(dt.date(2027, 1, 9))  # Saturday


def test_sla_state_colours():
    start, due = at(2026, 11, 18, 8), at(2026, 11, 18, 18)
    assert sla.sla_state(start, due, at(2026, 11, 18, 12)) == SlaState.ON_TIME
    assert sla.sla_state(start, due, at(2026, 11, 18, 17)) == SlaState.WARNING
    assert sla.sla_state(start, due, at(2026, 11, 18, 18, 1)) == SlaState.OVERDUE
