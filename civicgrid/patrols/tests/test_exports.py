"""Excel exports of the patrol pages: each opened with openpyxl has the rows the page shows for
the same filters, in the user's scope; they need the "export" capability and are audited."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.models import AuditLog
from civicgrid.orgs.choices import Role
from civicgrid.patrols import services
from civicgrid.patrols.models import MissedPatrol, Patrol
from civicgrid.testing.factories import make_user

from .test_patrols import _complete

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def table(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells (th or td) of the table with that id."""
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, flags=re.S)
    assert body, f"no table {table_id}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        text = [
            htmllib.unescape(re.sub(r"<[^>]+>", "", c)).replace("\xa0", " ").strip() for c in cells
        ]
        rows.append(text)
    return rows


def sheet(response, title: str | None = None) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb[title] if title else wb.worksheets[0]
    return list(ws.iter_rows(min_row=2, values_only=True))


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return f"{v:%Y-%m-%d %H:%M}"
    return str(v)


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def patrols(tiny):
    worker_b = make_user(Role.GRID_WORKER, grid=tiny.grid_b1, username="worker_b1")
    day = dt.date(2026, 3, 2)
    rows = {
        "a1": _complete(tiny, tiny.worker_a1, tiny.grid_a1, at(day, 9)),
        "a2": _complete(tiny, tiny.worker_a1, tiny.grid_a2, at(day, 14)),
        "b1": _complete(tiny, worker_b, tiny.grid_b1, at(day, 10)),
        "old": _complete(tiny, tiny.worker_a1, tiny.grid_a1, at(day - dt.timedelta(days=40), 9)),
    }
    short = rows["a2"]
    Patrol.objects.filter(pk=short.pk).update(completed=False, distance_m=122.5)
    return rows


def test_patrol_list_export_has_the_pages_rows_for_the_same_filters(client, tiny, patrols):
    login(client, tiny.staff_a)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    page = table(client.get(reverse("patrols:list"), query).content.decode(), "patrols-table")
    assert len(page) == 2  # community A in March: A1 and A2; B1 is out of scope, "old" filtered
    rows = sheet(client.get(reverse("patrols:list"), {**query, "format": "xlsx"}))
    assert [[cell(v) for v in r[:8]] for r in rows] == page
    assert [r[7] for r in rows] == ["未达标", "有效"] and rows[0][4] == 123  # half up, as the page
    assert {r[8] for r in rows} == {"东门社区"}
    # a status filter narrows both alike
    query["state"] = "completed"
    page = table(client.get(reverse("patrols:list"), query).content.decode(), "patrols-table")
    rows = sheet(client.get(reverse("patrols:list"), {**query, "format": "xlsx"}))
    assert [[cell(v) for v in r[:8]] for r in rows] == page and len(rows) == 1
    log = AuditLog.objects.filter(action=AuditLog.Action.EXPORT, actor=tiny.staff_a)
    assert log.count() == 2
    assert log.order_by("-id").first().detail == {
        "what": "patrols",
        "filters": {"start": "2026-03-01", "end": "2026-03-31", "state": "completed"},
    }
    # the street sees both communities
    login(client, tiny.street_staff)
    rows = sheet(client.get(reverse("patrols:list"), {"format": "xlsx", "start": "2026-03-01"}))
    assert {r[1] for r in rows} == {"东门第一网格", "东门第二网格", "西门第一网格"}


def test_exports_are_refused_without_the_export_capability(client, tiny, patrols):
    services.duty_set(actor=tiny.staff_a, grid=tiny.grid_a1, frequency="daily", times=1)
    login(client, tiny.worker_a1)  # a grid worker may view, not export
    for name in ("patrols:list", "patrols:missed", "patrols:coverage", "patrols:opinions"):
        assert client.get(reverse(name)).status_code == 200
        assert 'class="button export-button"' not in client.get(reverse(name)).content.decode()
        assert client.get(reverse(name), {"format": "xlsx"}).status_code == 403
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()
    login(client, tiny.staff_a)
    html = client.get(reverse("patrols:list")).content.decode()
    assert 'id="patrols-export"' in html


def test_coverage_export_has_the_pages_rows(client, tiny, patrols):
    for g in (tiny.grid_a1, tiny.grid_a2, tiny.grid_b1):
        services.duty_set(actor=tiny.street_staff, grid=g, frequency="daily", times=1)
    query = {"day": "2026-03-04", "period": "week"}
    for user, communities in ((tiny.street_staff, 2), (tiny.staff_a, 1)):
        login(client, user)
        html = client.get(reverse("patrols:coverage"), query).content.decode()
        page = table(html, "coverage-table")
        assert len(page) == 1 + communities
        resp = client.get(reverse("patrols:coverage"), {**query, "format": "xlsx"})
        rows = sheet(resp, "巡查覆盖")
        as_page = [
            [
                r[1] or r[0],
                *[str(v) for v in r[2:5]],
                f"{float(r[5])}%" if r[5] is not None else "—",
            ]
            for r in rows
        ]
        assert as_page == page
        assert {r[6] for r in rows} == {"2026-03-02 – 2026-03-08"}
        stats = sheet(resp, "巡查考核指标")
        if 'id="patrol-stats"' in html:
            # numbers compared as numbers: Excel keeps 2.0 as 2
            assert [[s[0], *(float(v) for v in s[1:5])] for s in stats] == [
                [r[0], *(float(v) for v in r[1:5])] for r in table(html, "patrol-stats")
            ]
        else:  # a community's staff have no street or county figures
            assert stats == []
    login(client, tiny.street_staff)
    rows = sheet(client.get(reverse("patrols:coverage"), {**query, "format": "xlsx"}), "巡查覆盖")
    assert rows[0][:6] == ("罗阳街道", None, 3, 2, 2, 66.7)  # A1 and B1 patrolled, A2 short


def test_missed_export_has_the_pages_rows_in_force_or_withdrawn(client, tiny):
    for g in (tiny.grid_a1, tiny.grid_a2, tiny.grid_b1):
        services.duty_set(actor=tiny.street_staff, grid=g, frequency="daily", times=1)
    day = dt.date(2026, 3, 4)
    services.check_patrols(day=day)
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, at(day, 9))
    services.check_patrols(day=day)  # the re-check withdraws A1's flag
    assert MissedPatrol.objects.filter(withdrawn_at__isnull=False).count() == 1
    login(client, tiny.staff_a)
    for show, grids in (("", {"东门第二网格"}), ("withdrawn", {"东门第一网格"}), ("all", None)):
        html = client.get(reverse("patrols:missed"), {"show": show}).content.decode()
        page = table(html, "missed-table")
        rows = sheet(client.get(reverse("patrols:missed"), {"show": show, "format": "xlsx"}))
        assert [[cell(v)[:10], v2] for (v, v2, *_r) in rows] == [[p[0], p[1]] for p in page]
        if grids is not None:
            assert {r[1] for r in rows} == grids
    rows = sheet(client.get(reverse("patrols:missed"), {"show": "all", "format": "xlsx"}))
    assert len(rows) == 2  # community B's flag is out of scope
    by_grid = {r[1]: r for r in rows}
    assert by_grid["东门第一网格"][8] == "已撤销" and by_grid["东门第一网格"][10]
    assert by_grid["东门第二网格"][8] == "有效" and by_grid["东门第二网格"][9] is None


def test_contact_visits_export_is_the_leaders_own_or_the_overseers(client, tiny, settings):
    settings.CIVICGRID_2FA_ENFORCED = False
    org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
    leader = make_user(Role.LEADER, area=tiny.county, username="leader1")
    leader2 = make_user(Role.LEADER, area=tiny.county, username="leader2")
    a = services.contact_assign(
        actor=org_dept,
        leader=leader,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_a,
    )
    b = services.contact_assign(
        actor=org_dept,
        leader=leader2,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_b,
    )
    for assignment, who, day, n in ((a, leader, 5, 12), (a, leader, 20, 3), (b, leader2, 7, 9)):
        services.contact_visit_record(
            actor=who,
            assignment=assignment,
            visited_on=dt.date(2026, 2, day),
            met_with="居民代表",
            heard="充电难",
            opinions=["加装充电桩"],
            opinions_count=n,
        )
    login(client, leader)
    html = client.get(reverse("patrols:contact", args=[a.pk])).content.decode()
    page = table(html, "visits-table")
    rows = sheet(client.get(reverse("patrols:contact", args=[a.pk]), {"format": "xlsx"}))
    assert [[cell(r[0])[:10], r[4], str(r[7])] for r in rows] == [p[:3] for p in page]
    assert [r[2] for r in rows] == ["东门社区", "东门社区"]
    query = {"start": "2026-01-01", "end": "2026-12-31"}
    resp = client.get(reverse("patrols:opinions"), {**query, "format": "xlsx"})
    assert [r[7] for r in sheet(resp, "联系走访")] == [3, 12]  # only leader1's own
    summary = sheet(resp, "意见收集统计")
    page = table(client.get(reverse("patrols:opinions"), query).content.decode(), "opinions-table")
    assert [[str(v) for v in r] for r in summary] == page
    login(client, org_dept)
    resp = client.get(reverse("patrols:opinions"), {**query, "format": "xlsx"})
    assert sorted(r[7] for r in sheet(resp, "联系走访")) == [3, 9, 12]
    login(client, tiny.staff_a)  # other staff see no contact points at all
    resp = client.get(reverse("patrols:opinions"), {**query, "format": "xlsx"})
    assert sheet(resp, "联系走访") == []
    assert (
        client.get(reverse("patrols:contact", args=[a.pk]), {"format": "xlsx"}).status_code == 404
    )
