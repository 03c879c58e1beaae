"""Patrol counts as columns of the assessment page, its Excel export and the API: the same
figures as selectors.patrol_stats (a separate, per-area implementation) for every community
and street, scoped like the rest of the page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.api.tests.conftest import client_for
from civicgrid.cases.assessment import month_bounds
from civicgrid.patrols import selectors, services
from civicgrid.patrols.models import MissedPatrol

from .test_patrols import _complete

pytestmark = pytest.mark.django_db

MONTH = "2026-03"


@pytest.fixture
def patrolled(tiny):
    for g in (tiny.grid_a1, tiny.grid_a2, tiny.grid_b1):
        services.duty_set(actor=tiny.street_staff, grid=g, frequency="daily", times=1)
    day = timezone.make_aware(dt.datetime(2026, 3, 2, 9))
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, day)
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, day + dt.timedelta(days=1))
    _complete(tiny, tiny.worker_a1, tiny.grid_a2, day + dt.timedelta(days=3))
    _complete(tiny, tiny.worker_a1, tiny.grid_b1, day + dt.timedelta(days=40))  # April: not counted
    MissedPatrol.objects.create(
        grid=tiny.grid_b1, area=tiny.community_b, day=dt.date(2026, 3, 5), frequency="daily",
        expected=1, done=0,
    )
    return tiny


def _page_columns(html: str, name: str) -> list[str]:
    """The cells of the row named `name` in the first table that has one."""
    import re

    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if len(cells) > 1 and cells[1] == name:
            return cells
    raise AssertionError(f"no row for {name}")


def test_page_api_and_export_show_the_patrol_figures_of_each_area(patrolled):
    tiny = patrolled
    start, end = month_bounds(dt.date(2026, 3, 1))
    expected = {
        a.name: selectors.patrol_stats(a, start, end)
        for a in (tiny.community_a, tiny.community_b, tiny.street)
    }
    # the hand count, so the two implementations cannot agree on a wrong answer
    assert (expected["东门社区"]["completed"], expected["东门社区"]["coverage_rate"]) == (3, 100.0)
    assert (expected["西门社区"]["completed"], expected["西门社区"]["missed"]) == (0, 1)
    assert expected[tiny.street.name]["coverage_rate"] == 66.7

    data = client_for(tiny.street_staff).get("/api/v1/assessment/", {"month": MONTH}).json()
    rows = {r["name"]: r["extras"] for r in data["communities"] + data["streets"]}
    for name, stats in expected.items():
        assert rows[name]["patrols_completed"] == stats["completed"]
        assert rows[name]["patrol_coverage_rate"] == stats["coverage_rate"]
        assert rows[name]["patrols_missed"] == stats["missed"]
    assert all("patrols_completed" not in r["extras"] for r in data["departments"])

    web = Client()
    web.force_login(tiny.street_staff, backend="django.contrib.auth.backends.ModelBackend")
    html = web.get("/cases/assessment/", {"month": MONTH}).content.decode()
    assert 'data-extra="patrol_coverage_rate"' in html
    a_cells = _page_columns(html, "东门社区")
    assert a_cells[-3:] == ["3", "100.0", "0"]

    xlsx = web.get("/cases/assessment/", {"month": MONTH, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["社区"]
    header = [c.value for c in sheet[1]]
    assert header[-3:] == ["有效巡查", "巡查覆盖率%", "漏巡"]
    by_name = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["西门社区"][-3:] == (0, 0.0, 1)


def test_community_staff_get_their_own_community_only(patrolled):
    data = client_for(patrolled.staff_b).get("/api/v1/assessment/", {"month": MONTH}).json()
    assert [(r["name"], r["extras"]["patrols_missed"]) for r in data["communities"]] == [
        ("西门社区", 1)
    ]
