"""Schemathesis over the whole /api/v1/ surface, in-process against the WSGI app, as a scoped
community worker with a personal token: no 5xx, and every response (status code, headers,
content type, body) conforms to the checked-in schema. Bounded to a few examples an operation
so the whole run stays well under a minute."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import token_for

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(SCHEMA_FILE)
schema.app = get_wsgi_application()  # in process: same thread, same test database


@pytest.fixture
def fuzz_token(world):
    """A token; and, as Django's test client does, the test's database connection stays open
    across the in-process requests (they run inside the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield token_for(world.tiny.staff_a)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_token):
    case.call_and_validate(
        base_url="http://testserver",
        # Only the personal token: blank out the other schemes' generated credentials.
        headers={"Authorization": f"Bearer {fuzz_token}", "X-Api-Key": "", "Cookie": ""},
        checks=CHECKS,
    )
