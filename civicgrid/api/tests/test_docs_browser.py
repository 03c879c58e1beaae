"""The API documentation pages load from our own origin under the project's CSP (no CDN, no
inline scripts): Swagger UI draws the operations, and no CSP violation is reported."""

from __future__ import annotations

import pytest

from civicgrid.web.tests.conftest import browser  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on(
        "requestfinished",
        lambda req: (
            problems.append(f"off-site: {req.url}")
            if not req.url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:"))
            else None
        ),
    )
    return problems


def test_swagger_ui_loads_under_csp(live_server, browser):  # noqa: F811
    page = browser.new_page()
    problems = _watch(page)
    response = page.goto(live_server.url + "/api/v1/docs/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/cases/" in p for p in paths)
    assert [p for p in problems if "Content Security Policy" in p or "off-site" in p] == []
    assert [p for p in problems if p.startswith("pageerror")] == []
    page.close()


def test_redoc_is_not_offered(live_server, browser):  # noqa: F811
    """ReDoc needs inline styles, blob workers and a CDN logo; the API offers Swagger UI only."""
    page = browser.new_page()
    response = page.goto(live_server.url + "/api/v1/redoc/")
    assert response.status == 404
    page.close()
