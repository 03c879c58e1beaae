"""Helpers for the browser tests of the case pages: one Chromium per test module, one
browser context per person (a phone for residents and field handlers, a desk for staff),
sign-in through the real login form, screenshots and layout checks.

Import the fixtures into a test module: ``from .browser_conftest import browser, people``.
Screenshots go to $CIVICGRID_SCREENSHOTS, else to a "shots" folder in the system's
temporary directory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

PASSWORD = "pass-word-123"  # civicgrid.testing.factories.UserFactory
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_WIDTH = 390
PHONE = {
    "viewport": {"width": PHONE_WIDTH, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESK = {"viewport": {"width": 1280, "height": 900}}

# A valid 1×1 PNG.
PNG = (  # a valid 1 × 1 PNG (photos are decoded and re-encoded on upload)
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def shots_dir() -> Path:
    path = Path(os.environ.get("CIVICGRID_SCREENSHOTS") or Path(tempfile.gettempdir()) / "shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(page, name: str) -> Path:
    path = shots_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def overflow_px(page) -> int:
    """How far the page is wider than the screen (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


@pytest.fixture(scope="module")
def browser():
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Chromium not found on PATH (Debian package 'chromium'): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class People:
    """Opens a browser context per person; records script errors and failed stylesheets or
    scripts on every page (the test fails on any)."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.contexts: list = []
        self.script_errors: list[str] = []

    def open(self, username: str | None = None, *, phone: bool = False, **options):
        ctx = self.browser.new_context(
            base_url=self.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **(PHONE if phone else DESK),
            **options,
        )
        ctx.set_default_timeout(10_000)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.script_errors.append(f"{page.url}: {exc}"))
        page.on("response", self._check_asset)
        if username:
            login(page, username)
        return page

    def _check_asset(self, response) -> None:
        """A stylesheet or script that fails to load leaves a page unstyled or dead."""
        if response.request.resource_type in ("stylesheet", "script") and response.status >= 400:
            self.script_errors.append(f"{response.status} {response.url}")

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def people(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    crowd = People(browser, live_server.url)
    yield crowd
    crowd.close()
    assert not crowd.script_errors, crowd.script_errors


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def action_form(page, label: str):
    """Open one action's fold on the case page and return its form."""
    box = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box.locator("form")


def act(page, label: str, *, note: str = "", to_unit=None, files=None) -> None:
    """Open one action on the case page, fill it in and submit it; wait for the answer."""
    form = action_form(page, label)
    if to_unit is not None:
        form.locator("select[name=to_unit]").select_option(str(to_unit.pk))
    if note:
        form.locator("textarea[name=note]").fill(note)
    if files:
        form.locator("input[name=photos]").set_input_files(files)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()


def status_tag(page):
    return page.locator("h1 .tag").first
