"""On a phone: a community worker books a meeting room, sees it in the week calendar, and a
unit's second booking of the same slot is refused with the message. The living map draws."""

from __future__ import annotations

import pytest

from civicgrid.web.tests.conftest import browser, phone_page  # noqa: F401  (fixtures)

from .conftest import Res, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button.primary")
    page.wait_for_url(base + "/")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_book_a_meeting_room_from_a_phone(live_server, tiny, phone_page):  # noqa: F811
    res = Res(tiny)
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    day = at(2, 9).date().isoformat()

    _login(page, base, "staff_a")
    page.goto(base + "/resources/")
    assert _no_sideways_scroll(page)
    page.click(f"text={res.room.name}")
    page.wait_for_selector("#week")
    page.goto(base + f"/resources/{res.room.pk}/?week={day}")
    # Tap the free slot of that day, then set 09:00–10:30 on the form.
    page.locator(f'section.day[data-date="{day}"] .slot.free a').first.click()
    page.wait_for_selector("#book-form")
    assert _no_sideways_scroll(page)
    page.select_option("select[name=start]", "09:00")
    page.select_option("select[name=end]", "10:30")
    page.fill("input[name=attendees]", "12")
    page.fill("input[name=purpose]", "支部主题党日")
    page.click("#book-form button.primary")
    page.wait_for_selector(".messages")
    assert "预订成功" in page.locator(".messages").inner_text()
    busy = page.locator(f'section.day[data-date="{day}"] .slot.busy')
    assert busy.count() == 1 and "09:00–10:30" in busy.inner_text()
    assert "支部主题党日" in busy.inner_text()
    assert _no_sideways_scroll(page)
    page.screenshot(path="/tmp/h/resources-week.png", full_page=False)

    # The month overview counts it.
    page.goto(base + f"/resources/{res.room.pk}/month/?month={day[:7]}")
    assert page.locator("#month .count").first.inner_text() == "1"
    assert _no_sideways_scroll(page)

    # A unit user tries the same slot: refused, with the message, and nothing is written.
    page.context.clear_cookies()
    _login(page, base, "hospital_b")
    page.goto(base + f"/resources/{res.room.pk}/book/?date={day}&start=10:00&end=11:00")
    page.fill("input[name=attendees]", "5")
    page.fill("input[name=purpose]", "健康讲座")
    page.click("#book-form button.primary")
    page.wait_for_selector("#book-error")
    assert "该时段已被预订" in page.locator("#book-error").inner_text()
    page.screenshot(path="/tmp/h/resources-refused.png", full_page=False)
    # The public week shows the slot as taken, without the purpose.
    page.goto(base + f"/resources/{res.room.pk}/?week={day}")
    busy = page.locator(f'section.day[data-date="{day}"] .slot.busy')
    assert busy.count() == 1 and "已预订" in busy.inner_text() and "支部" not in busy.inner_text()
    assert errors == []


def test_living_map_draws_and_toggles_layers(live_server, tiny, phone_page):  # noqa: F811
    Res(tiny)
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, live_server.url, "staff_a")
    page.goto(live_server.url + "/resources/map/")
    page.wait_for_selector("#livemap[data-ready='1'] canvas")
    assert page.locator('[data-count="resources"]').inner_text() == "(2)"
    page.uncheck("#layers input[value=resources]")
    page.check("#layers input[value=resources]")
    box = page.locator("#livemap canvas").first.bounding_box()
    assert box["width"] <= 390 and box["height"] > 250
    page.screenshot(path="/tmp/h/resources-map.png", full_page=True)
    assert errors == []
