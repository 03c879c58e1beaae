"""Fixtures for the API tests: the tiny county with a catalogue, a department and a registry of
people (see civicgrid/cases/tests/conftest.py and civicgrid/web/tests/conftest.py), cases in
both communities, and HTTP clients that present a personal token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from civicgrid.cases import services as case_services
from civicgrid.cases.tests.conftest import loop  # noqa: F401  (a fixture)
from civicgrid.web.tests.conftest import PHONE_A, PHONE_B, Registry  # noqa: F401

POINT_A1 = (114.005, 23.005)  # inside grid A1 of community A
POINT_B1 = (114.025, 23.005)  # inside grid B1 of community B


class World(Registry):
    """Registry + two cases in community A (one reported by the grid worker), one in B."""

    def __init__(self, tiny):
        super().__init__(tiny)
        create = case_services.case_create
        self.case_a = create(
            actor=tiny.worker_a1,
            item=tiny.item_community,
            text="楼道堆放杂物,堵塞消防通道",
            lon=POINT_A1[0],
            lat=POINT_A1[1],
        )
        self.case_a2 = create(
            actor=tiny.staff_a,
            item=tiny.item_department,
            text="路口占道经营,影响通行",
            grid=tiny.grid_a2,
        )
        self.case_b = create(
            actor=tiny.staff_b,
            item=tiny.item_community,
            text="西门路灯不亮",
            lon=POINT_B1[0],
            lat=POINT_B1[1],
        )


@pytest.fixture
def world(loop):  # noqa: F811
    return World(loop)


def token_for(user) -> str:
    from civicgrid.api.tokens import token_issue

    return token_issue(actor=user, user=user, name="test").secret


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def error_of(response) -> dict:
    """The API's error object, after checking the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
