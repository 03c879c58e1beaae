import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def tiny(db):
    from civicgrid.testing.factories import TinyCounty

    return TinyCounty()
