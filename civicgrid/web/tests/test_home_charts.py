"""The home page's charts: the queue bars get the queue counts of civicgrid.cases.selectors,
the 14-day line gets the scoped case rollups (the big screen's daily figures); community B's
staff see only B's; a browser draws both on a desk and on a 390-px phone."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.analytics import rollups, screen
from civicgrid.cases import selectors as case_selectors
from civicgrid.cases import services
from civicgrid.cases.choices import HandlingMode, ResolveKind, SlaState, Tier
from civicgrid.cases.models import Case, MatterGroup, MatterItem
from civicgrid.cases.tests.browser_conftest import (  # noqa: F401  (fixtures)
    browser,
    overflow_px,
    people,
    shot,
)
from civicgrid.web.views import CHART_QUEUES

A_POINT = {"lon": 114.005, "lat": 23.005}
B_POINT = {"lon": 114.025, "lat": 23.005}


@pytest.fixture
def loop(tiny):
    """The tiny county with one community-level matter item."""
    group = MatterGroup.objects.create(code="TZ", name="测试分类", domain="enforcement")
    tiny.item_community = MatterItem.objects.create(
        code="TZ01-01",
        name="楼道堆物",
        group=group,
        domain="enforcement",
        level=Tier.COMMUNITY,
        mode=HandlingMode.COMMUNITY_DIRECT,
        accept_hours=2,
        resolve_kind=ResolveKind.WORKING_DAYS,
        resolve_days=3,
    )
    return tiny


def chart_json(body: str) -> dict:
    found = re.search(r'<script id="home-chart" type="application/json">(.*?)</script>', body, re.S)
    assert found, "no chart JSON on the home page"
    return json.loads(found.group(1))


def trend_table(body: str) -> list[tuple[str, int, int]]:
    table = re.search(r'<table class="data" id="home-trend-table">(.*?)</table>', body, re.S)
    assert table, "no table of the daily figures"
    rows = re.findall(r"<tr><td>([\d-]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table.group(1))
    return [(day, int(r), int(s)) for day, r, s in rows]


def _case(loop, point, steps=(), days_ago=0):
    actor = loop.worker_a1 if point is A_POINT else loop.street_staff
    case = services.case_create(actor=actor, item=loop.item_community, text="路灯不亮", **point)
    for action, who in steps:
        kw = {"note": "ok"} if action == "resolve" else {}
        case = services.case_transition(actor=who, case=case, action=action, **kw)
    if days_ago:
        Case.objects.filter(pk=case.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    return case


def build(loop) -> None:
    """A: five cases over four days (one resolved, one overdue, one due soon); B: two today."""
    s, sb = loop.staff_a, loop.staff_b
    done = [("accept", s), ("dispatch", s), ("start", s), ("resolve", s)]
    _case(loop, A_POINT, done, days_ago=3)
    _case(loop, A_POINT, [("accept", s), ("dispatch", s), ("start", s)], days_ago=3)
    late = _case(loop, A_POINT, [("accept", s), ("dispatch", s)], days_ago=1)
    soon = _case(loop, A_POINT)
    _case(loop, A_POINT, days_ago=20)  # older than the 14 days
    Case.objects.filter(pk=late.pk).update(sla_state=SlaState.OVERDUE)
    Case.objects.filter(pk=soon.pk).update(sla_state=SlaState.WARNING)
    _case(loop, B_POINT, [("accept", sb), ("dispatch", sb), ("start", sb), ("resolve", sb)])
    _case(loop, B_POINT)
    rollups.rebuild()  # (the hooks' flush runs after commit; these tests never commit)


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_queue_bars_get_the_queue_counts(client, loop):
    build(loop)
    body = home(client, loop.staff_a)
    data = chart_json(body)["queues"]
    counts = case_selectors.queue_counts(user=loop.staff_a)
    assert data["x"] == [str(case_selectors.QUEUES[n]) for n in CHART_QUEUES]
    assert data["x"] == ["待签收", "待派单", "办理中", "临期", "超期"]
    values = data["series"][0]["values"]
    assert values == [counts[n] for n in CHART_QUEUES]
    assert dict(zip(CHART_QUEUES, values, strict=True))["overdue"] == 1
    assert dict(zip(CHART_QUEUES, values, strict=True))["due_soon"] == 1
    # The links beside the chart print the same numbers (for the queues that are not empty).
    for name, n in zip(CHART_QUEUES, values, strict=True):
        href = reverse("cases:queue_named", args=[name])
        link = re.search(rf'href="{href}">[^<]*<strong>(\d+)</strong>', body)
        assert (int(link.group(1)) if link else 0) == n, name
    label = re.search(r'id="home-queues-chart"[^>]*aria-label="([^"]*)"', body).group(1)
    assert "超期 1" in label and "临期 1" in label


@pytest.mark.django_db
def test_daily_line_gets_the_rollups_of_the_last_14_days(client, loop):
    build(loop)
    body = home(client, loop.staff_a)
    data = chart_json(body)["trend"]
    expected = screen.figures(loop.staff_a)["trend"][-14:]  # the big screen's daily figures
    today = timezone.localdate()
    assert data["x"] == [f"{today - dt.timedelta(days=13 - i):%m-%d}" for i in range(14)]
    received, resolved = data["series"][0]["values"], data["series"][1]["values"]
    assert received == [d["received"] for d in expected]
    assert resolved == [d["resolved"] for d in expected]
    assert (received[-4], received[-2], received[-1]) == (2, 1, 1)
    assert sum(received) == 4 and sum(resolved) == 1  # the 20-day-old case is not drawn
    assert trend_table(body) == [(d["day"], d["received"], d["resolved"]) for d in expected]


@pytest.mark.django_db
def test_community_b_staff_see_only_b_in_the_charts(client, loop):
    build(loop)
    data = chart_json(home(client, loop.staff_b))
    received = data["trend"]["series"][0]["values"]
    resolved = data["trend"]["series"][1]["values"]
    assert received == [0] * 13 + [2] and resolved == [0] * 13 + [1]
    counts = case_selectors.queue_counts(user=loop.staff_b)
    assert data["queues"]["series"][0]["values"] == [counts[n] for n in CHART_QUEUES]
    assert counts["overdue"] == counts["due_soon"] == 0  # A's late and due-soon cases
    street = chart_json(home(client, loop.street_staff))["trend"]["series"][0]["values"]
    assert sum(street) == 6  # the street sees both


@pytest.mark.django_db
def test_no_charts_without_a_scope(client, loop):
    from civicgrid.testing.factories import make_user

    nobody = make_user(username="nobody")
    body = home(client, nobody)
    assert "cg-chart" not in body and "echarts" not in body


# The home page ran 13 queries before the charts (tiny county, community staff); the daily line
# adds one grouped read of the rollups; the queue bars reuse the queue counts already read.
HOME_PIN = 14


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_home_queries_do_not_grow_with_cases(client, loop):
    build(loop)
    _queries(client, loop.staff_a)  # the first request also writes the session
    before = _queries(client, loop.staff_a)
    for _i in range(3):
        build(loop)
    after = _queries(client, loop.staff_a)
    assert after == before <= HOME_PIN


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_home_charts_are_drawn(people, loop, phone):  # noqa: F811
    build(loop)
    page = people.open("staff_a", phone=phone)
    refused = []  # the charts run under the page's CSP: no inline script or style refused
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(reverse("home"))
    for selector in ("#home-queues-chart", "#home-trend-chart"):
        chart = page.locator(selector)
        chart.locator("canvas, svg").first.wait_for()
        assert chart.get_attribute("data-ready") == "1"
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
        box = chart.bounding_box()
        assert box["width"] > 100 and box["height"] > 100
        assert box["x"] + box["width"] <= page.viewport_size["width"]
    page.locator("#home-trend-chart canvas").first.hover()  # a tooltip, drawn on the canvas
    page.wait_for_timeout(300)
    # The numbers stay readable without the chart: the queue links and the table of days.
    assert page.locator("#home-trend-table tbody tr").count() == 14
    assert page.get_by_role("link", name=re.compile("超期")).count() == 1
    shot(page, f"home-charts-{'phone' if phone else 'desk'}")
    assert overflow_px(page) <= 0
    assert refused == []


@pytest.mark.django_db
def test_home_charts_in_english(client, loop):
    from django.utils import translation

    build(loop)
    client.force_login(loop.staff_a)
    try:
        body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        translation.activate("zh-hans")
    assert "Cases accepted and resolved in the last 14 days" in body
    assert 'aria-label="Cases in each queue (bar chart)' in body
    assert "Of those, resolved" in chart_json(body)["trend"]["series"][1]["name"]
