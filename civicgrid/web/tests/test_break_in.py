"""Trying to break in, across every page and endpoint at once.

A county is filled with one row of every area-owned model in community A and one in
community B (the builders of orgs/tests/test_scoping_all_models.py). Then every URL of the
project whose path takes ids is requested with the ids of those rows:

- IDOR: community B's staff never gets a page that names a row of community A (public
  pages — those an anonymous visitor gets too — are left out: they are meant for everyone).
- Stored XSS: every free-text field of every row holds markup; no HTML page returns it
  unescaped, and a system administrator's crawl of every page finds no server error.
- CSRF: a signed-in POST without the CSRF token is refused everywhere except the
  endpoints listed in CSRF_EXEMPT (machine interfaces that authenticate every request).
- Path traversal: download URLs given "../" paths answer 404.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from civicgrid.core.scoping import ScopedModel
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.testing.factories import make_user

from .crawl import all_sides, fill, id_routes, plain_routes, poison, texts

pytestmark = pytest.mark.django_db

PAYLOAD = '"<b-x>'  # escaped: &quot;&lt;b-x&gt;
# Answers to a POST without a CSRF token that mean "refused" (or "not here").
REFUSED = {401, 403, 404, 405}
# Pages every signed-in person may open whatever their area, by design (checked by hand):
OPEN_TO_SIGNED_IN = {
    # Published activities are open to every volunteer of the county (docs/activities.md).
    "activities/open/<int:pk>/",
    # Shared resources are open to everyone (资源共享): any signed-in person may book a listed one.
    "resources/<int:pk>/book/",
}
# Machine interfaces that authenticate each request by key or token, not by a cookie.
CSRF_EXEMPT = ("open311/", "api/")


def _public_names() -> set[str]:
    """Names every staff member may read by design: the area tree (行政区划, offered in "move to
    community" lists) and the county's handlers (departments and property companies, offered as
    owners of a commitment or a dispatch anywhere in the county)."""
    handlers = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.PROPERTY_COMPANY])
    return set(Area.objects.values_list("name", flat=True)) | set(handlers.values_list("name", flat=True))


@pytest.fixture
def world(tiny):
    rows, problems = all_sides(tiny)
    assert not problems, problems
    return tiny, rows


def test_idor_no_page_names_a_row_of_the_other_community(world):
    tiny, rows = world
    b_texts = {t for obj in rows["b"] for t in texts(obj)}
    markers = {t for obj in rows["a"] for t in texts(obj)
               if len(t) >= 3 and not any(t in bt for bt in b_texts) and not t.isdigit()
               and t not in _public_names()}
    ids = sorted({obj.pk for obj in rows["a"]})
    anon, staff_b = Client(), Client()
    staff_b.force_login(tiny.staff_b, backend="django.contrib.auth.backends.ModelBackend")
    leaks, tried = [], 0
    for route in id_routes():
        if route in OPEN_TO_SIGNED_IN:
            continue
        for pk in ids:
            url = fill(route, pk)
            if anon.get(url).status_code == 200:
                continue  # a public page
            resp = staff_b.get(url)
            tried += 1
            if resp.status_code != 200 or not resp.get("Content-Type", "").startswith(("text/html", "application/json")):
                continue
            body = resp.content.decode("utf-8", "replace")
            found = [m for m in markers if m in body]
            if found:
                leaks.append(f"{url}: {found[:3]}")
    assert tried > 100, f"only {tried} requests made: the crawl found too few routes"
    assert not leaks, "community B's staff saw community A's rows:\n" + "\n".join(leaks)


def test_stored_markup_is_escaped_everywhere_and_no_page_fails(world, settings):
    tiny, rows = world
    settings.CIVICGRID_2FA_ENFORCED = False  # the crawl is a superuser's, who would owe a TOTP
    assert poison(rows["a"] + rows["b"], lambda obj, f: f"{f.name}{PAYLOAD}") > 20
    admin = make_user(username="break_in_admin", is_superuser=True, is_staff=True)
    client = Client(raise_request_exception=False)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    ids = sorted({obj.pk for obj in rows["a"]})
    raw, errors, pages = [], [], 0
    urls = ["/" + r for r in plain_routes()] + [fill(route, pk) for route in id_routes() for pk in ids]
    for url in urls:
        resp = client.get(url)
        if resp.status_code >= 500:
            errors.append(f"{url}: {resp.status_code}")
            continue
        if resp.status_code == 200 and resp.get("Content-Type", "").startswith("text/html"):
            pages += 1
            if "<b-x>" in resp.content.decode("utf-8", "replace"):
                raw.append(url)
    assert pages > 50, f"only {pages} HTML pages rendered"
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not raw, "markup from stored data reached the page unescaped:\n" + "\n".join(raw)


def test_posts_without_the_csrf_token_are_refused(world):
    tiny, rows = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(tiny.staff_a, backend="django.contrib.auth.backends.ModelBackend")
    pk = rows["a"][0].pk
    accepted = []
    for route in plain_routes() + id_routes():
        if route.startswith(CSRF_EXEMPT):
            continue
        url = fill(route, pk) if "<" in route else "/" + route
        status = client.post(url, {"name": "x", "text": "x", "note": "x"}).status_code
        if status not in REFUSED:
            accepted.append(f"{url}: {status}")
    assert not accepted, "POST without the CSRF token was not refused:\n" + "\n".join(accepted)


@pytest.mark.parametrize("path", [
    "/cases/attachments/..%2F..%2Fetc%2Fpasswd",
    "/reports/download/..%2F..%2Fsettings.py",
    "/media/../config/settings/base.py",
    "/static/../../config/settings/base.py",
    "/io/report/..%2F..%2Fetc%2Fpasswd/",
])
def test_path_traversal_on_downloads(client, tiny, path):
    client.force_login(tiny.staff_a, backend="django.contrib.auth.backends.ModelBackend")
    resp = client.get(path)
    assert resp.status_code == 404
    assert b"SECRET_KEY" not in resp.content and b"root:" not in resp.content


def test_every_scoped_model_took_part(world):
    _tiny, rows = world
    scoped = [m for m in apps.get_models() if issubclass(m, ScopedModel) and not m._meta.abstract]
    empty = [m._meta.label_lower for m in scoped if not m._base_manager.exists()]
    assert len(rows["a"]) > 0.9 * len(scoped) and not empty
