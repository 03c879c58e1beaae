"""A community worker on a phone: map, grid, resident search, reveal, and a foreign resident."""

from __future__ import annotations

import pytest

from civicgrid.core.models import AuditLog

from .conftest import PHONE_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_on_a_phone(live_server, registry, phone_page):
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "worker_a1")
    page.fill("input[name=password]", "pass-word-123")
    page.click("button.primary")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "工作台"

    # The map: ECharts draws into a canvas once the scoped GeoJSON has arrived.
    page.goto(live_server.url + "/map/")
    page.wait_for_selector("#map[data-ready='1'] canvas")
    box = page.locator("#map canvas").first.bounding_box()
    assert box["width"] <= 390 and box["height"] > 300
    assert page.locator("#map-list tbody tr").count() == 1

    # Into the grid from the list under the map.
    page.click("#map-list >> text=东门第一网格")
    page.wait_for_url(f"**/grids/{registry.tiny.grid_a1.pk}/")
    assert "东门第一网格" in page.locator("h1").inner_text()

    # Find a resident by name; the phone is masked in the results and on the page.
    page.goto(live_server.url + "/residents/")
    page.fill("input[name=q]", "张建国")
    page.click("form.search button")
    row = page.locator("table.residents tbody tr").first
    assert "138****8000" in row.inner_text()
    assert PHONE_A not in page.content()
    row.locator("a").first.click()
    page.wait_for_url(f"**/residents/{registry.resident_a.pk}/")
    phone = page.locator("#pii-phone")
    assert "138****8000" in phone.inner_text() and PHONE_A not in page.content()

    # 显示完整 swaps in the full number (htmx, no inline script) and leaves an audit row.
    phone.locator("button").click()
    page.wait_for_selector("#pii-phone [data-revealed]")
    assert phone.inner_text().strip() == PHONE_A
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL, field="phone").count() == 1

    # A resident of the other community: the same 404 page as a missing one.
    response = page.goto(f"{live_server.url}/residents/{registry.resident_b.pk}/")
    assert response.status == 404
    assert "找不到该记录,或您无权查看" in page.content()
    assert "张伟" not in page.content()

    # Nothing overflowed the phone screen sideways at page level.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [e for e in errors if "404" not in e] == []
