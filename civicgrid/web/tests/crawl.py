"""What the break-in tests share: every route of the project, one row of every area-owned
model on each side of the tiny county, and a way to write markup into their free-text fields.

Used by test_break_in.py (server side: IDOR, escaping, CSRF, traversal) and
test_xss_browser.py (the same rows and pages in a real browser).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.apps import apps
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from civicgrid.orgs.tests.test_scoping_all_models import Side, all_builders

SKIP_PREFIXES = ("admin/", "i18n/", "static/", "media/", "accounts/logout", "__debug__")
# Fields whose values the system itself keeps consistent (paths, codes, keys, hashes).
NOT_FREE_TEXT = re.compile(
    r"(^|_)(path|code|number|key|hash|token|index|slug|phone|id_number|email|url|"
    r"status|state|kind|mode|level|role|action|event|source|type|sha256|ip)(_|$)"
)


def patterns(resolver=None, prefix=""):
    """(route, URLPattern) for every URL of the project, includes expanded."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route, p


def _crawlable(route: str) -> bool:
    return not route.startswith(SKIP_PREFIXES) and not route.startswith("^")


def id_routes() -> list[str]:
    """Every route whose only parameters are integer ids."""
    out = [
        route
        for route, _p in patterns()
        if _crawlable(route) and "<int:" in route and not re.search(r"<(?!int:)", route)
    ]
    return sorted(set(out))


def plain_routes() -> list[str]:
    """Every route without parameters."""
    return [r for r, _p in patterns() if "<" not in r and _crawlable(r)]


def fill(route: str, value: int) -> str:
    return "/" + re.sub(r"<int:\w+>", str(value), route)


def all_sides(tiny):
    """One row of every scoped model in community A and one in community B."""
    rows = {"a": [], "b": []}
    problems = []
    for label, builder in sorted(all_builders().items()):
        for tag, community, grid in (
            ("a", tiny.community_a, tiny.grid_a1),
            ("b", tiny.community_b, tiny.grid_b1),
        ):
            # Builders assume an empty county; with every model in one county some meet rows an
            # earlier builder made for itself (one report per member, say): then the builder
            # runs again with a fresh tag (a new member, organisation, unit on the same side),
            # and that failing too is fine as long as the model has rows.
            error = None
            for attempt in ("", "2", "3"):
                try:
                    with transaction.atomic():
                        rows[tag].append(builder(Side(tiny, community, grid, tag + attempt)))
                    break
                except Exception as exc:  # noqa: BLE001 - reported below
                    error = exc
            else:
                if not apps.get_model(label)._base_manager.exists():
                    problems.append(f"{label}/{tag}: {type(error).__name__}: {error}")
    return rows, problems


def texts(obj) -> list[str]:
    return [str(obj)] + [
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and isinstance(getattr(obj, f.attname), str)
    ]


def free_text_fields(model) -> list[models.Field]:
    """The fields a person types into: plain Django text fields, not choices, codes, keys,
    encrypted values or unique names, long enough to hold markup."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.URLField)
        and not f.choices
        and not f.primary_key
        and not NOT_FREE_TEXT.search(f.name)
        and (f.max_length or 1000) >= 20
        and not f.unique
        and f.__class__.__module__.startswith("django.")
    ]


def poison(
    rows, value: Callable[[models.Model, models.Field], str | None], *, urls: str | None = None
) -> int:
    """Write ``value(obj, field)`` into every free-text field of every row (fields for which
    it answers None are left alone); with ``urls``, write that into URL fields too. Returns
    how many rows were changed. Append-only ledgers refuse the update: nothing to poison."""
    done = 0
    for obj in rows:
        model = type(obj)
        changes = {}
        for f in free_text_fields(model):
            v = value(obj, f)
            if v is not None:
                changes[f.attname] = v
        if urls is not None:
            changes.update(
                {
                    f.attname: urls[: f.max_length]
                    for f in model._meta.concrete_fields
                    if isinstance(f, models.URLField) and not f.unique
                }
            )
        if not changes:
            continue
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=obj.pk).update(**changes)
            done += 1
        except Exception:  # noqa: BLE001 - append-only ledgers refuse updates
            continue
    return done
