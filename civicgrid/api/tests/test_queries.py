"""Pinned query counts: a list endpoint costs the same with 3 rows as with 30 (no N+1)."""

from __future__ import annotations

import pytest

from civicgrid.cases import services as case_services
from civicgrid.people import services as people_services

from .conftest import POINT_A1

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(world):
    """Many more rows of each kind in community A."""
    tiny = world.tiny
    for i in range(25):
        case_services.case_create(
            actor=tiny.staff_a,
            item=tiny.item_community,
            text=f"第{i}件",
            lon=POINT_A1[0],
            lat=POINT_A1[1],
        )
        people_services.resident_create(actor=None, name=f"居民{i}", grid=tiny.grid_a1, gender="F")
    return world


# Queries per request: the token with its user, the scope (role assignments, area subtree),
# the count, the page, and prefetched related rows — the same for 3 rows or 200.
ENDPOINTS = {
    "/api/v1/cases/": 5,
    "/api/v1/residents/": 6,
    "/api/v1/party-members/": 5,
    "/api/v1/households/": 5,
    "/api/v1/units/": 5,
    "/api/v1/grids/": 5,
    "/api/v1/areas/": 5,
    "/api/v1/party-organizations/": 6,
    "/api/v1/catalogue/items/": 3,
    "/api/v1/cases/queues/": 7,
    "/api/v1/areas/tree/": 8,
}


@pytest.mark.parametrize(("url", "limit"), ENDPOINTS.items())
def test_list_query_count_is_pinned(crowd, as_user, django_assert_max_num_queries, url, limit):
    client = as_user(crowd.tiny.staff_a)
    client.get(url)  # the token's last_used_at is written on first use
    with django_assert_max_num_queries(limit):
        r = client.get(url, {"page_size": 200} if "queues" not in url and "tree" not in url else {})
    assert r.status_code == 200


def test_case_detail_query_count(crowd, as_user, django_assert_max_num_queries):
    client = as_user(crowd.tiny.staff_a)
    client.get("/api/v1/auth/me/")
    with django_assert_max_num_queries(16):
        r = client.get(f"/api/v1/cases/{crowd.case_a.pk}/")
    assert r.status_code == 200
