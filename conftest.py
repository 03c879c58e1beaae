import os

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Transactional tests flush the database, and with it the rows that data migrations
    load (special groups, the default matter catalogue). Put them back before each such test.
    (pytest-django runs all transactional tests after the others, so those keep theirs.)"""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from civicgrid.cases.catalogue import load_catalogue
    from civicgrid.party.points import load_default_rules
    from civicgrid.people.choices import DEFAULT_SPECIAL_GROUPS
    from civicgrid.people.models import SpecialGroup

    for code, name in DEFAULT_SPECIAL_GROUPS:
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name})
    load_catalogue()
    load_default_rules()


@pytest.fixture(autouse=True)
def _fresh_classifier_state():
    """The active classifier is cached per process for a moment: not across tests, whose
    rows are rolled back."""
    from civicgrid.intake.selectors import forget_active

    forget_active()
    yield
    forget_active()


@pytest.fixture
def tiny(db):
    from civicgrid.testing.factories import TinyCounty

    return TinyCounty()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Request counters (public rate limits) live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
