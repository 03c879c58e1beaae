"""Real browser on a phone-sized screen: a patrol whose connection drops loses no route points
and earns its points once; a leader's visit raises a case that exists and is linked."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-123"


def login(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def wait_js(page, expression: str, timeout_s: float = 30) -> None:
    """Poll a JavaScript expression (wait_for_function would eval a string, which the CSP
    forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(200)


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error"
            and "Failed to fetch" not in msg.text
            and "ERR_INTERNET_DISCONNECTED" not in msg.text
            else None
        ),
    )
    return problems


def test_a_patrol_with_a_dropped_connection_loses_no_points(browser, live_server, settings, tiny):  # noqa: F811
    from civicgrid.orgs.choices import OrgKind
    from civicgrid.orgs.models import PartyOrganization
    from civicgrid.party.choices import PointsEvent
    from civicgrid.party.models import PointsEntry
    from civicgrid.patrols.models import Patrol, PatrolPoint
    from civicgrid.people.models import PartyMember

    settings.PATROL_MIN_DURATION_S = 0
    settings.PATROL_MIN_DISTANCE_M = 50
    branch = PartyOrganization.objects.create(
        name="支部", kind=OrgKind.GRID_BRANCH, area=tiny.community_a, grid=tiny.grid_a1
    )
    member = PartyMember.objects.create(
        name="网格员党员",
        gender="M",
        organization=branch,
        area=tiny.community_a,
        grid=tiny.grid_a1,
        user=tiny.worker_a1,
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        base_url=live_server.url,
        permissions=["geolocation"],
        geolocation={"latitude": 23.005, "longitude": 114.001, "accuracy": 5},
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = _watch(page)
    login(page, "worker_a1")
    page.goto("/patrols/")
    page.locator(f"#start-{tiny.grid_a1.pk}").click()
    page.wait_for_selector("#patrol[data-open='1']")
    patrol = Patrol.objects.get()
    sent = []

    def move(i: int) -> None:
        lon = round(114.0015 + i * 0.0003, 6)
        sent.append(lon)
        context.set_geolocation({"latitude": 23.005, "longitude": lon, "accuracy": 5})
        wait_js(
            page, f"(localStorage.getItem('cg-patrol-{patrol.pk}') || '').indexOf('{lon}') >= 0"
        )

    for i in range(4):
        move(i)
    context.set_offline(True)
    for i in range(4, 10):
        move(i)
    wait_js(page, "document.getElementById('sync-status').dataset.pending !== '0'")
    offline_points = PatrolPoint.objects.filter(patrol=patrol, lon__in=sent[4:]).count()
    assert offline_points < 6  # at least part of the walk was queued on the phone, not sent
    context.set_offline(False)
    wait_js(page, "document.getElementById('sync-status').dataset.pending === '0'", 60)
    page.locator("#end-patrol").click()
    page.wait_for_selector("#patrol[data-open='0']")
    patrol.refresh_from_db()
    stored = set(PatrolPoint.objects.filter(patrol=patrol).values_list("lon", flat=True))
    assert set(sent) <= {round(x, 6) for x in stored}  # no route point lost
    seqs = list(
        PatrolPoint.objects.filter(patrol=patrol).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(len(seqs)))  # no gaps, no duplicates
    assert patrol.status == "ended" and patrol.completed and patrol.points_count == len(seqs)
    assert (
        PointsEntry.objects.filter(event=PointsEvent.PATROL_COMPLETED, member=member).count() == 1
    )
    assert page.locator(".route-map polyline.route").get_attribute("points").count(",") >= 10
    assert not problems, problems
    context.close()


def test_a_leader_visit_raises_a_linked_case(phone_page, live_server, settings, tiny):  # noqa: F811
    from civicgrid.cases.models import Case
    from civicgrid.orgs.choices import Role
    from civicgrid.patrols import services
    from civicgrid.patrols.models import ContactVisitCase
    from civicgrid.testing.factories import make_user

    settings.CIVICGRID_2FA_ENFORCED = False  # leaders pass TOTP first; not what is tested here
    org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
    leader = make_user(Role.LEADER, area=tiny.county, username="leader1")
    a = services.contact_assign(
        actor=org_dept,
        leader=leader,
        cadence=3,
        since=dt.date(2026, 1, 1),
        target_area=tiny.community_a,
    )
    page = phone_page
    problems = _watch(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("leader1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + "/patrols/contacts/")
    page.get_by_role("link", name="东门社区").click()
    form = page.locator("#visit-form")
    form.locator("input[name=met_with]").fill("社区两委和居民代表")
    form.locator("textarea[name=heard]").fill("小区门口路灯不亮,老人夜间出行不便")
    form.locator("textarea[name=opinions]").fill("修路灯\n增设助餐点")
    form.locator("input[name=opinions_count]").fill("25")
    form.get_by_role("button").click()
    page.wait_for_selector("#raise-form")
    raise_form = page.locator("#raise-form")
    raise_form.locator("select[name=item]").select_option(index=1)
    raise_form.locator("textarea[name=text]").fill("东门社区小区门口路灯不亮")
    raise_form.locator("select[name=grid]").select_option(str(tiny.grid_a1.pk))
    raise_form.get_by_role("button").click()
    page.wait_for_selector("#visit-cases a")
    case = Case.objects.get()
    assert case.source == "leader_visit" and case.grid_id == tiny.grid_a1.pk
    link = ContactVisitCase.objects.get()
    assert (
        link.case_id == case.pk
        and link.visit.assignment_id == a.pk
        and link.visit.opinions_count == 25
    )
    assert case.number in page.locator("#visit-cases").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert not problems, problems


def test_a_grid_chief_on_a_phone_reads_withdrawn_flags_and_exports(phone_page, live_server, tiny):  # noqa: F811
    import io

    from openpyxl import load_workbook

    from civicgrid.orgs.choices import Role
    from civicgrid.patrols import services
    from civicgrid.testing.factories import make_user

    from .test_patrols import _complete

    make_user(Role.GRID_CHIEF, grid=tiny.grid_a1, username="chief_a1")
    for g in (tiny.grid_a1, tiny.grid_a2):
        services.duty_set(actor=tiny.staff_a, grid=g, frequency="daily", times=1)
    day = dt.date(2026, 3, 4)
    services.check_patrols(day=day)
    _complete(tiny, tiny.worker_a1, tiny.grid_a1, timezone_at(day))
    services.check_patrols(day=day)  # the re-check withdraws grid A1's flag
    page = phone_page
    problems = _watch(page)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("chief_a1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + "/patrols/missed/")
    assert page.locator("#missed-table .missed-row").count() == 0  # A1's flag is withdrawn
    page.locator("#tab-withdrawn").click()
    page.wait_for_selector("#missed-table .withdrawn-row")
    assert "补传的巡查已达应巡次数" in page.locator("#missed-table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    button = page.locator("#missed-export")
    box = button.bounding_box()
    assert box and box["height"] >= 40 and box["x"] + box["width"] <= 390
    with page.expect_download() as info:
        button.click()
    rows = list(
        load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert [(r[1], r[8]) for r in rows] == [("东门第一网格", "已撤销")]
    page.goto(live_server.url + "/patrols/list/")
    page.locator("#patrol-filters select[name=state]").select_option("completed")
    page.locator("#patrol-filters button").click()
    page.wait_for_url(lambda url: "state=completed" in url)
    assert page.locator("#patrols-table tbody tr").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    with page.expect_download() as info:
        page.locator("#patrols-export").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    assert not problems, problems


def timezone_at(day: dt.date, hour: int = 9):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
