"""On a phone (390 px): a unit's user fills in the evaluation of its community, the
organisation department closes the round and sees the result; the overview draws its charts."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    folder = os.environ.get("PARTYLIFE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"partylife-{name}.png"), full_page=True)


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # a unit contact lands elsewhere


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_unit_fills_evaluation_and_org_department_sees_result(live_server, tiny, phone_page):  # noqa: F811
    from civicgrid.partylife import services
    from civicgrid.partylife.models import EvaluationAssignment

    from .conftest import World

    world = World(tiny)
    r = world.round(anonymity="hidden_from_rated")
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url

    _login(page, base, "school_a")
    page.goto(base + "/partylife/evaluation/tasks/")
    assert _fits(page)
    page.get_by_role("link", name="东门社区").click()
    inputs = page.locator("input[type=number]")
    assert inputs.count() == 5
    # one score out of range first: refused, nothing saved
    inputs.nth(0).fill("12")
    for i in range(1, 5):
        inputs.nth(i).fill("8")
    page.get_by_role("button", name="提交评价").click()
    assert "0 到 10" in page.locator(".eval-form").inner_text()
    assert _fits(page)
    _shot(page, "fill-error")
    page.locator("input[type=number]").nth(0).fill("9")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_url(base + "/partylife/evaluation/tasks/")
    assert "已提交" in page.locator(".task", has_text="东门社区").inner_text()
    _shot(page, "tasks")
    a = EvaluationAssignment.objects.get(
        round=r, direction="unit_to_community", rater_unit=world.unit_a
    )
    # (9×1.5 + 8×1.5 + 8 + 8 + 8) / 6 × 10 = 82.5
    assert a.status == "submitted" and str(a.total) == "82.50"

    services.evaluation_round_close(actor=world.orgdept, round=r)
    _login(page, base, "orgdept")
    page.goto(f"{base}/partylife/evaluation/{r.pk}/")
    section = page.locator("#unit_to_community")
    row = section.locator("tr", has_text="东门社区")
    assert "82.50" in row.inner_text() and "东门小学 82.50" in row.inner_text()
    _shot(page, "result-orgdept")

    # the rated community sees its mean and not who rated it
    _login(page, base, "staff_a")
    page.goto(f"{base}/partylife/evaluation/{r.pk}/")
    text = page.locator("#unit_to_community").inner_text()
    assert "82.50" in text and "东门小学" not in text

    # overview charts draw on the phone
    services.warnings_scan(actor=None, today=dt.date.today())
    services.star_ratings_compute_all(actor=world.orgdept, year=dt.date.today().year)
    _login(page, base, "orgdept")
    page.goto(base + "/partylife/overview/")
    page.wait_for_selector("#star-chart canvas")
    assert _fits(page)
    _shot(page, "overview")
    assert errors == []
