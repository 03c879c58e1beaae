"""The assessment page's charts: the ranking bars and the six-month line get exactly the
figures of the page's tables (and of the page itself, month by month), scoped like the
tables; and a browser draws them on a desk and on a 390-px phone without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.cases import assessment, services
from civicgrid.cases.choices import Rating
from civicgrid.cases.models import Case
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

from .browser_conftest import browser, overflow_px, people, shot  # noqa: F401  (fixtures)

# Column of each measure in the page's ranking tables (#, name, received, then the rates).
COLUMN = {
    "response_rate": 3,
    "resolution_rate": 4,
    "on_time_rate": 5,
    "satisfaction_rate": 6,
    "reopen_rate": 7,
}
A_POINT = {"lon": 114.005, "lat": 23.005}
B_POINT = {"lon": 114.025, "lat": 23.005}


class Tables(HTMLParser):
    """Every <table> of a page: its class and the text of its body cells, row by row."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("class", ""), []))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(body: str, cls: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(body)
    return [rows for c, rows in parser.tables if c == cls]


def chart_json(body: str, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S
    )
    assert found, f"no {element_id} JSON on the page"
    return json.loads(found.group(1))


def shown(value) -> str:
    """A figure as the table prints it."""
    return "—" if value is None else str(value)


def _run(loop, steps, point=A_POINT, item=None):
    actor = loop.worker_a1 if point is A_POINT else loop.street_staff
    case = services.case_create(
        actor=actor, item=item or loop.item_community, text="楼道堆物", **point
    )
    for action, who, kw in steps:
        case = services.case_transition(actor=who, case=case, action=action, **kw)
    return case


def _rate(loop, case, rating):
    Case.objects.filter(pk=case.pk).update(reporter=loop.resident_user)
    case.refresh_from_db()
    return services.case_transition(
        actor=loop.resident_user, case=case, action="rate", rating=rating
    )


def _month_start(first: dt.date, days: int = 3) -> dt.datetime:
    return assessment.month_bounds(first)[0] + dt.timedelta(days=days, hours=10)


def build(loop) -> dict:
    """A handful of cases in A (this month and two months back) and in B (this month)."""
    s, sb = loop.staff_a, loop.staff_b
    full = [
        ("accept", s, {}),
        ("dispatch", s, {}),
        ("start", s, {}),
        ("resolve", s, {"note": "ok"}),
    ]
    full_b = [
        ("accept", sb, {}),
        ("dispatch", sb, {}),
        ("start", sb, {}),
        ("resolve", sb, {"note": "ok"}),
    ]
    a1 = _run(loop, full)
    a2 = _rate(loop, _run(loop, full), Rating.SATISFIED)
    _rate(loop, _run(loop, full), Rating.DISSATISFIED)  # reopened
    _run(loop, [("accept", s, {})])
    _run(loop, [("invalidate", s, {"note": "重复"})])
    Case.objects.filter(pk=a1.pk).update(resolved_at=a1.resolve_due + dt.timedelta(hours=1))
    b1 = _run(loop, full_b, point=B_POINT)
    _run(loop, [("accept", sb, {})], point=B_POINT)
    _run(loop, [], point=B_POINT)
    # Two months back: two cases in A, one resolved.
    first = timezone.localdate().replace(day=1)
    earlier = assessment.months_to(first, 3)[0]
    old = [_run(loop, full), _run(loop, [("accept", s, {})])]
    Case.objects.filter(pk__in=[c.pk for c in old]).update(created_at=_month_start(earlier))
    return {"a2": a2, "b1": b1, "earlier": earlier}


def get(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("cases:assessment"), params)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("by", list(COLUMN))
def test_ranking_bars_get_the_tables_figures(client, loop, by):
    build(loop)
    response, body = get(client, loop.street_staff, by=by)
    data = chart_json(body, "assessment-chart")
    sheets = tables(body, "data")
    assert data["measure"] == by
    assert len(data["rankings"]) == len(sheets) == 3
    for ranking, rows in zip(data["rankings"], sheets, strict=True):
        if not ranking["x"]:
            assert len(rows) == 1 and rows[0][-1] == "无数据"
            continue
        assert ranking["x"] == [r[1] for r in rows]
        values = ranking["series"][0]["values"]
        assert [shown(v) for v in values] == [r[COLUMN[by]] for r in rows]
    communities = data["rankings"][0]
    assert communities["x"] and set(communities["x"]) == {"东门社区", "西门社区"}
    # The figures are the ones the view computed (and ranked) for its table.
    sheet = response.context["tables"][0]["rows"]
    assert communities["series"][0]["values"] == [getattr(r, by) for r in sheet]


@pytest.mark.django_db
def test_ranking_values_are_the_written_definitions(client, loop):
    build(loop)
    _response, body = get(client, loop.street_staff, by="on_time_rate")
    ranking = chart_json(body, "assessment-chart")["rankings"][0]
    by_name = dict(zip(ranking["x"], ranking["series"][0]["values"], strict=True))
    # A this month: resolved a1 (late) and a2 (in time; rated) -> 50%; B: b1 in time -> 100%.
    assert by_name == {"西门社区": 100.0, "东门社区": 50.0}
    assert ranking["x"] == ["西门社区", "东门社区"]  # best first, as the table


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["resolution_rate", "response_rate", "satisfaction_rate"])
def test_trend_line_equals_the_page_month_by_month(client, loop, by):
    built = build(loop)
    _response, body = get(client, loop.street_staff, by=by)
    trend = chart_json(body, "assessment-chart")["trend"]
    months = assessment.months_to(timezone.localdate())
    assert trend["x"] == [f"{m:%Y-%m}" for m in months]
    [street] = trend["series"]
    assert street["name"] == loop.street.name
    for month, value in zip(trend["x"], street["values"], strict=True):
        _r, page = get(client, loop.street_staff, by=by, month=month)
        streets = tables(page, "data")[1]
        assert streets[0][1] == loop.street.name
        assert shown(value) == streets[0][COLUMN[by]], month
    # The months with cases have figures, the others none (a rate of nothing is no rate).
    if by != "satisfaction_rate":  # nothing was rated two months back
        assert street["values"][months.index(built["earlier"])] is not None
    assert street["values"][-1] is not None
    assert street["values"][0] is None
    # The trend's own table prints the same numbers.
    [[row]] = tables(body, "data cg-trend-table")
    assert row == [loop.street.name, *[shown(v) for v in street["values"]]]


@pytest.mark.django_db
def test_community_and_county_lines_equal_their_rows(client, loop, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # a leader; two-factor is tested elsewhere
    build(loop)
    _r, body = get(client, loop.staff_a, by="resolution_rate")
    data = chart_json(body, "assessment-chart")
    [line] = data["trend"]["series"]
    [row] = tables(body, "data")[0]
    assert line["name"] == row[1] == "东门社区"
    assert shown(line["values"][-1]) == row[COLUMN["resolution_rate"]]
    leader = make_user(Role.LEADER, area=loop.county, username="leader")
    _r, body = get(client, leader, by="resolution_rate")
    [county] = chart_json(body, "assessment-chart")["trend"]["series"]
    assert county["name"] == loop.county.name
    [street_row] = tables(body, "data")[1]  # one street: the county's cases are the street's
    assert shown(county["values"][-1]) == street_row[COLUMN["resolution_rate"]]


@pytest.mark.django_db
def test_community_b_staff_see_only_b_in_the_charts(client, loop):
    build(loop)
    _r, body = get(client, loop.staff_b, by="resolution_rate")
    data = chart_json(body, "assessment-chart")
    assert [r["x"] for r in data["rankings"]] == [["西门社区"], [], []]
    [line] = data["trend"]["series"]
    assert line["name"] == "西门社区"
    # B: three cases this month, one resolved; none earlier (A's old cases are not counted).
    assert line["values"] == [None] * 5 + [33.3]
    assert data["rankings"][0]["series"][0]["values"] == [33.3]
    text = json.dumps(data, ensure_ascii=False)
    assert "东门" not in text and "罗阳" not in text and "测试县" not in text


@pytest.mark.django_db
def test_monthly_counts_each_case_in_its_local_month(loop):
    """A case raised at 23:30 on the last day of a month (Asia/Shanghai) is that month's."""
    first = timezone.localdate().replace(day=1)
    previous = assessment.months_to(first, 2)[0]
    late, early = _run(loop, []), _run(loop, [])
    start = assessment.month_bounds(first)[0]
    Case.objects.filter(pk=late.pk).update(created_at=start - dt.timedelta(minutes=30))
    Case.objects.filter(pk=early.pk).update(created_at=start + dt.timedelta(minutes=10))
    rows = assessment.monthly(user=loop.staff_a, area=loop.community_a, last=first)
    assert [r.name for r in rows][-2:] == [f"{previous:%Y-%m}", f"{first:%Y-%m}"]
    assert [r.received for r in rows] == [0, 0, 0, 0, 1, 1]
    for month, row in zip(assessment.months_to(first), rows, strict=True):
        s, e = assessment.month_bounds(month)
        [page_row] = assessment.for_areas(
            user=loop.staff_a, level=Area.Level.COMMUNITY, start=s, end=e
        )
        assert row.received == page_row.received and row.valid == page_row.valid
    assert assessment.months_to(dt.date(2026, 3, 15)) == [
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]


@pytest.mark.django_db
def test_a_department_user_gets_no_trend(client, loop):
    build(loop)
    _r, body = get(client, loop.dept_handler)
    data = chart_json(body, "assessment-chart")
    assert data["trend"]["series"] == []
    assert 'data-key="trend"' not in body


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:assessment")).status_code == 200
    return len(ctx.captured_queries)


# The page before the charts ran 10 queries for the street's staff in the tiny county; the
# charts add two (the areas in view, and one grouped query for the six months of each); the
# columns from other apps (CIVICGRID_ASSESSMENT_EXTRAS) add ten, whatever the number of rows:
# patrols four grouped counts per area sheet plus the street's communities, mutual evaluation
# one look-up of the period per sheet it rates (communities, departments).
ASSESSMENT_PIN = 22


@pytest.mark.django_db
def test_assessment_queries_do_not_grow_with_cases_or_months(client, loop):
    build(loop)
    _queries(client, loop.street_staff)  # the first request also writes the session
    before = _queries(client, loop.street_staff)
    for _i in range(5):
        build(loop)
    after = _queries(client, loop.street_staff)
    assert after == before <= ASSESSMENT_PIN


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_assessment_charts_are_drawn(people, loop, phone):  # noqa: F811
    build(loop)
    page = people.open("street", phone=phone)
    refused = []  # the charts run under the page's CSP: no inline script or style refused
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(reverse("cases:assessment") + "?by=resolution_rate")
    charts = page.locator(".cg-chart")
    assert charts.count() == 3  # the trend, communities, streets (no department cases in view)
    page.wait_for_selector(".cg-chart[data-ready='1'] canvas")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.locator("canvas, svg").first.wait_for()
        assert chart.get_attribute("data-ready") == "1"
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
        box = chart.bounding_box()
        assert box["width"] > 100 and box["height"] > 100
        assert box["x"] + box["width"] <= page.viewport_size["width"]
    charts.first.locator("canvas").first.hover()  # a tooltip, drawn on the canvas (CSP)
    page.wait_for_timeout(300)
    assert page.locator("table.data").count() == 4  # the numbers stay in the tables
    shot(page, f"assessment-charts-{'phone' if phone else 'desk'}")
    assert overflow_px(page) <= 0
    assert refused == []


@pytest.mark.django_db
def test_assessment_charts_in_english(client, loop):
    from django.utils import translation

    build(loop)
    client.force_login(loop.street_staff)
    try:
        response = client.get(
            reverse("cases:assessment"), {"by": "reopen_rate"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    finally:
        translation.activate("zh-hans")
    body = response.content.decode()
    assert "Reopen rate over the last six months" in body
    assert "ranked by Reopen rate (bar chart)" in body
    assert chart_json(body, "assessment-chart")["label"] == "Reopen rate"
