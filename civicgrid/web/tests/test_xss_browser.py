"""Stored and reflected XSS, in a real browser (Chromium through Playwright).

The server-side crawl (test_break_in.py) shows that markup in stored text comes back escaped
in the HTML. That leaves what only a browser sees: script that builds the page from data
(maps, charts and their tooltips, htmx fragments, JSON read by our scripts) and whatever a
template marks safe. Here one row of every area-owned model on each side of the county gets
markup that *runs* when it is not escaped, in every free-text field; URL fields get a
``javascript:`` URL. Every page that renders for a superuser is opened as that superuser and
as community A's staff; every page without ids is opened again with script in its query
parameters (those its own GET forms send, and the usual q=, month=, page=…), for staff and
for an anonymous visitor; then error pages (404, 403, the CSRF failure page) with script in
the path and the query. After each page: ``window.__xss`` is still undefined, no dialog
opened, no element carries an injected event handler or the payload's marker, and no link,
image or form points at ``javascript:``. On pages with charts every chart shows its
tooltips first.

How it stays fast: the crawl needs to know which URLs render, so it requests them with
Django's test client first (with the live server's host name and the same user); the
browser then gets exactly those bytes for the page itself, and everything the page loads
or fetches afterwards (scripts, JSON, htmx fragments) from the live server, signed in as
the same user. Each page is thus rendered once on the server, not twice.

The browser context bypasses the Content-Security-Policy on purpose: the CSP (no inline
script, no inline handlers) would stop these payloads even if they were not escaped, and
this test is about the escaping. The CSP is the second wall, tested in core/tests.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.test import Client

from civicgrid.testing.factories import make_user

from .conftest import browser  # noqa: F401  (fixture)
from .crawl import all_sides, fill, id_routes, plain_routes, poison

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKEND = "django.contrib.auth.backends.ModelBackend"
MARK = "data-xss"
RUN = "(window.__xss=window.__xss||[]).push('{label}')"
# For fields too short for the full payload (which names the field): 32 and 22 characters.
MEDIUM = f"""'"><svg {MARK} onload=__xss=1>"""
SHORT = '"><svg/onload=__xss=1>'
JS_URL = "javascript:(window.__xss=window.__xss||[]).push('url')"
# Query parameters our list and search pages read, besides those their forms name.
COMMON_PARAMS = (
    "q",
    "month",
    "year",
    "date",
    "date_from",
    "date_to",
    "status",
    "area",
    "grid",
    "page",
    "sort",
    "order",
    "tab",
    "kind",
    "next",
    "period",
    "round",
    "category",
)
TYPED_PARAM = re.compile(r"date|month|year|page|area|grid|status|round|period|kind")
# Pages that draw from fetched JSON or htmx fragments after "load".
FETCHING = "[data-src],[data-feed],[data-url],[hx-trigger*=load],[_echarts_instance_]"

# Runs in the page: what a successful injection leaves behind. (Our templates carry no inline
# event handlers at all — web/tests/test_templates.py — so any on* attribute is injected.)
PROBE = """(fetching) => {
  const bad = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.getAttributeNames()) {
      const v = (e.getAttribute(a) || '').replace(/\\s/g, '').toLowerCase();
      if (a.startsWith('on') || a === 'data-xss' || v.startsWith('javascript:')) bad.push(e.tagName + '[' + a + ']');
    }
  }
  return {xss: window.__xss === undefined ? null : JSON.stringify(window.__xss), bad: bad.slice(0, 5),
          fetching: !!document.querySelector(fetching)};
}"""
# Show every chart's tooltips (series 0-3, data 0-5): ECharts renders them as HTML.
TOOLTIPS = """() => {
  if (!window.echarts) return 0;
  let n = 0;
  for (const el of document.querySelectorAll('[_echarts_instance_]')) {
    const chart = window.echarts.getInstanceByDom(el);
    if (!chart) continue;
    const option = chart.getOption();
    const series = option ? (option.series || []).length : 0;
    for (let s = 0; s < Math.min(series, 4); s++) {
      for (let d = 0; d < 6; d++) { chart.dispatchAction({type: 'showTip', seriesIndex: s, dataIndex: d}); n++; }
    }
  }
  return n;
}"""


def stored_payload(obj, field) -> str | None:
    """Markup that runs script when rendered unescaped, in text or in a quoted attribute."""
    run = RUN.format(label=f"{obj._meta.label_lower}.{field.name}")
    full = (
        f"""{field.name}'"><img src=x {MARK} onerror="{run}"><svg {MARK} onload="{run};alert(1)">"""
    )
    limit = field.max_length or 10_000
    return next((p for p in (full, MEDIUM, SHORT) if len(p) <= limit), None)


def reflected_payload(name: str) -> str:
    run = RUN.format(label=f"param {name}")
    return f"""'"><img src=x {MARK} onerror="{run}"><svg {MARK} onload="{run};alert(1)">"""


GET_FORM = re.compile(r"<form\b(?![^>]*method=\"post\")[^>]*>(.*?)</form>", re.S | re.I)
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([\w.-]+)\"", re.I)


def form_params(html: str) -> set[str]:
    """Names of the fields of a page's GET forms (its filters and search boxes)."""
    names: set[str] = set()
    for form in GET_FORM.findall(html):
        names.update(n for n in FIELD_NAME.findall(form) if n != "csrfmiddlewaretoken")
    return names


class Visitor:
    """One person: a test client and one browser tab with the same session. ``fetch`` asks
    the server; ``check`` shows that very response in the browser and inspects the page."""

    def __init__(self, browser, live_server, user=None):  # noqa: F811
        self.base = live_server.url
        host = urlsplit(self.base).netloc
        self.client = Client(raise_request_exception=False, HTTP_HOST=host)
        self.context = browser.new_context(
            bypass_csp=True,
            locale="zh-CN",
            base_url=self.base,
            viewport={"width": 1280, "height": 900},
        )
        if user is not None:
            self.client.force_login(user, backend=BACKEND)
            self.context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": self.client.cookies["sessionid"].value,
                        "url": self.base,
                    }
                ]
            )
        self.documents: dict[str, object] = {}
        # Only our own pages and fetches pass through Python; static files go straight through.
        self.context.route(re.compile(re.escape(self.base) + r"/(?!static/)"), self._serve)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.inflight = 0
        self.quiet_since = time.monotonic()
        self.page.on("request", lambda r: self._traffic(+1))
        self.page.on("requestfinished", lambda r: self._traffic(-1))
        self.page.on("requestfailed", lambda r: self._traffic(-1))
        self.findings: list[str] = []
        self.shown = 0

    def _traffic(self, delta: int) -> None:
        self.inflight = max(0, self.inflight + delta)
        self.quiet_since = time.monotonic()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _serve(self, route) -> None:
        if route.request.resource_type == "image" and not route.request.url.startswith(
            self.base + "/static/"
        ):
            route.abort()  # the payload's <img src=x>: its error handler fires just the same
            return
        resp = self.documents.pop(route.request.url, None)
        if resp is None:
            route.continue_()
            return
        route.fulfill(
            status=resp.status_code,
            body=resp.content,
            headers={"Content-Type": resp.get("Content-Type", "text/html")},
        )

    def fetch(self, url: str):
        return self.client.get(url)

    def pages(self, urls: list[str]) -> dict[str, object]:
        """The URLs that render an HTML page (200), with the responses. A route that answers
        405 (it takes POSTs only) is not asked again with other ids."""
        out, post_only = {}, set()
        for url in urls:
            route = re.sub(r"/\d+/", "/N/", url)
            if route in post_only:
                continue
            resp = self.fetch(url)
            if resp.status_code == 405:
                post_only.add(route)
            elif resp.status_code == 200 and resp.get("Content-Type", "").startswith("text/html"):
                out[url] = resp
        return out

    def settle(self, quiet: float = 0.1, cap: float = 5.0) -> None:
        """Until nothing has been in flight for ``quiet`` seconds (networkidle waits 0.5 s)."""
        deadline = time.monotonic() + cap
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(40)
            if self.inflight == 0 and time.monotonic() - self.quiet_since > quiet:
                return

    def check(self, url: str, response=None) -> None:
        """Open ``url`` (showing ``response`` if given, else asking the live server) and look
        for anything the payloads would have done."""
        self.dialogs.clear()
        if response is not None:
            self.documents[self.base + url] = response
        try:
            self.page.goto(url, wait_until="load")
        except Exception as exc:  # noqa: BLE001 - a page that does not load is a finding
            self.findings.append(f"{url}: did not load: {exc}")
            return
        finally:
            self.documents.pop(self.base + url, None)
        self.shown += 1
        seen = self.page.evaluate(PROBE, FETCHING)
        if seen["fetching"] and not (seen["xss"] or seen["bad"]):
            self.settle()
            if self.page.evaluate(TOOLTIPS):
                self.page.wait_for_timeout(40)
            seen = None
        self.inspect(url, seen)

    def inspect(self, where: str, seen: dict | None = None) -> None:
        seen = seen or self.page.evaluate(PROBE, FETCHING)
        if seen["xss"] or seen["bad"] or self.dialogs:
            self.findings.append(
                f"{where}: ran {seen['xss']}, injected {seen['bad']}, dialogs {self.dialogs}"
            )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def poisoned(tiny, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # the superuser would owe a TOTP code
    rows, problems = all_sides(tiny)
    assert not problems, problems
    # The county's own areas and grids too: their names label the maps and their tooltips.
    county = [tiny.county, tiny.street, tiny.community_a, tiny.community_b]
    county += [tiny.grid_a1, tiny.grid_a2, tiny.grid_b1, tiny.grid_b2]
    assert poison(rows["a"] + rows["b"] + county, stored_payload, urls=JS_URL) > 20
    return tiny, rows


def shows_rows(resp) -> bool:
    """The page shows a poisoned row (escaped in HTML or in a json_script block), or fetches
    data that may."""
    body = resp.content.decode("utf-8", "replace")
    return "&lt;svg" in body or "\\u003Csvg" in body or bool(FETCHES.search(body))


FETCHES = re.compile(r"\b(data-src|data-feed|data-url)=|hx-trigger=\"[^\"]*load")


def test_stored_script_never_runs(live_server, browser, poisoned):  # noqa: F811
    tiny, rows = poisoned
    started = time.monotonic()
    admin = make_user(username="xss_admin", is_superuser=True, is_staff=True)
    ids = sorted({obj.pk for obj in rows["a"]})
    candidates = ["/" + r for r in plain_routes()] + [
        fill(route, pk) for route in id_routes() for pk in ids
    ]
    findings, opened = [], {}
    for who, user in (("superuser", admin), ("community staff", tiny.staff_a)):
        visitor = Visitor(browser, live_server, user)
        pages = visitor.pages(candidates)
        showing = {url: resp for url, resp in pages.items() if shows_rows(resp)}
        if who == "superuser":
            # The superuser opens every page that shows the rows, at every id. Community staff
            # open the same kinds of page, one id of each route (the first that shows rows).
            routes: dict[str, str] = {}
            for url in showing:
                routes.setdefault(re.sub(r"/\d+/", "/N/", url), url)
            candidates = list(routes.values())
        for url, resp in showing.items():
            visitor.check(url, resp)
        opened[who] = (len(pages), len(showing))
        findings += [f"{who} {f}" for f in visitor.findings]
        visitor.close()
    # Enough pages rendered, and many of them show the rows.
    assert opened["superuser"][0] > 120 and opened["superuser"][1] > 100, opened
    assert opened["community staff"][0] > 80 and opened["community staff"][1] > 70, opened
    assert not findings, "script from stored data ran or was injected:\n" + "\n".join(findings)
    print(
        f"stored XSS: pages (rendered, opened in the browser) {opened}, {time.monotonic() - started:.0f} s"
    )


def test_reflected_script_never_runs(live_server, browser, tiny, settings):  # noqa: F811
    settings.CIVICGRID_2FA_ENFORCED = False
    started = time.monotonic()
    routes = ["/" + r for r in plain_routes()]
    p = reflected_payload("path")
    errors = [
        "/no-such-page/" + quote(p, safe="") + "/",  # 404
        f"/cases/999999/?{urlencode({'q': p})}",  # 404 of a missing row
        f"/accounts/audit/?{urlencode({'actor': p, 'action': p})}",  # 403 for community staff
        f"/accounts/login/?{urlencode({'next': p})}",  # signed in: sent on; anonymous: the form
    ]
    findings, statuses, probed = [], set(), {}
    for who, user in (("community staff", tiny.staff_a), ("anonymous", None)):
        visitor = Visitor(browser, live_server, user)
        shown = 0
        for url, resp in visitor.pages(routes).items():
            names = form_params(resp.content.decode("utf-8", "replace"))
            # Every parameter at once; and the text parameters alone, since a typed one that
            # does not parse may turn the page into an error page (checked too, but the search
            # box is then not drawn). The browser opens the second only in that case.
            every = sorted(names | set(COMMON_PARAMS))
            text = sorted(n for n in names if not TYPED_PARAM.search(n)) or ["q"]
            answers = []
            for params in (every, text):
                target = f"{url}?{urlencode({n: reflected_payload(n) for n in params})}"
                answer = visitor.fetch(target)
                statuses.add(answer.status_code)
                # The server side: the markup never comes back as markup.
                if f"<img src=x {MARK}" in answer.content.decode("utf-8", "replace"):
                    findings.append(f"{who} {target}: reflected unescaped ({answer.status_code})")
                answers.append((target, answer))
            for target, answer in answers if answers[0][1].status_code != 200 else answers[:1]:
                visitor.check(target, answer)
                shown += 1
        for target in errors:
            answer = visitor.fetch(target)
            statuses.add(answer.status_code)
            visitor.check(target, answer)
        if user is not None:
            # The CSRF failure page, for a POST without the token whose address carries script.
            visitor.check("/")
            with visitor.page.expect_navigation():
                visitor.page.evaluate(
                    """(action) => { const f = document.createElement('form'); f.method = 'post';
                       f.action = action; document.body.appendChild(f); f.submit(); }""",
                    f"/cases/new/?{urlencode({'q': p})}",
                )
            assert "CSRF" in visitor.page.content()
            visitor.inspect("the CSRF failure page")
        probed[who] = shown
        findings += [f"{who} {f}" for f in visitor.findings]
        visitor.close()
    assert probed["community staff"] > 80 and probed["anonymous"] > 10, probed
    assert {200, 403, 404} <= statuses, statuses
    assert not findings, "script from the address ran or was injected:\n" + "\n".join(findings)
    print(
        f"reflected XSS: pages opened in the browser {probed}, {time.monotonic() - started:.0f} s"
    )
