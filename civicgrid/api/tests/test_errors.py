"""One error shape for every failure: validation, parse errors, oversize bodies, unknown paths
and ids, wrong methods and media types, dates out of range, throttling; nothing is written."""

from __future__ import annotations

import pytest

from civicgrid.cases.models import Case

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world, as_user):
    return as_user(world.tiny.staff_a)


def test_malformed_json_is_400_parse_error(world, staff):
    before = Case.objects.count()
    r = staff.post("/api/v1/cases/", '{"item": 1, "text": ', content_type="application/json")
    assert r.status_code == 400
    assert error_of(r)["code"] == "parse_error"
    assert error_of(r)["message"] == "请求内容不是有效的 JSON。"
    assert Case.objects.count() == before


def test_oversize_body_is_413(world, staff, settings):
    settings.CIVICGRID_API_MAX_BODY_BYTES = 1000
    before = Case.objects.count()
    body = {
        "item": world.tiny.item_community.pk,
        "text": "长" * 2000,
        "grid": world.tiny.grid_a1.pk,
    }
    r = staff.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large"
    assert Case.objects.count() == before


def test_oversize_body_without_content_length_is_413(world, staff, settings):
    """A Content-Length past Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused before reading."""
    settings.CIVICGRID_API_MAX_BODY_BYTES = 100
    before = Case.objects.count()
    r = staff.post(
        "/api/v1/cases/",
        '{"text": "' + "x" * 500 + '"}',
        content_type="application/json",
        CONTENT_LENGTH="50000000000",
    )
    assert r.status_code == 413
    assert error_of(r)["code"] == "payload_too_large"
    assert Case.objects.count() == before


def test_validation_errors_name_the_fields(world, staff):
    before = Case.objects.count()
    r = staff.post("/api/v1/cases/", {"item": 999999, "lon": 500}, format="json")
    assert r.status_code == 400
    err = error_of(r)
    assert err["code"] == "invalid" and err["message"] == "提交的数据有误。"
    assert {"item", "text", "lon"} <= set(err["details"])
    assert all(isinstance(m, str) for m in err["details"]["text"])
    assert Case.objects.count() == before


def test_service_errors_keep_their_code_and_message(world, staff):
    """A point outside every grid in a county with grids is accepted (unlocated); a text of
    spaces is refused by the service itself with its own message."""
    body = {"item": world.tiny.item_community.pk, "text": "   ", "grid": world.tiny.grid_a1.pk}
    r = staff.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 400
    assert "text" in error_of(r)["details"]


def test_english_messages_with_accept_language(world, staff):
    r = staff.get("/api/v1/cases/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404
    assert error_of(r)["message"] == "Record not found, or you are not allowed to view it."
    r = staff.get("/api/v1/cases/999999/")
    assert error_of(r)["message"] == "找不到该记录,或您无权查看。"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing/", "/api/v1/cases/abc/", "/api/v2/cases/", "/api/v1/cases/1/fly/"],
)
def test_unknown_paths_are_json_404(world, staff, path):
    for method in (staff.get, staff.post):
        r = method(path)
        assert r.status_code == 404
        assert r["Content-Type"].startswith("application/json")
        assert error_of(r)["code"] == "not_found"


def test_unknown_and_huge_ids_are_404(world, staff):
    for path in ("/api/v1/residents/0/", "/api/v1/grids/999999999999999999/"):
        r = staff.get(path)
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_wrong_method_is_405(world, staff):
    r = staff.delete(f"/api/v1/cases/{world.case_a.pk}/")
    assert r.status_code == 405
    assert error_of(r)["code"] == "method_not_allowed"
    assert Case.objects.filter(pk=world.case_a.pk).exists()


def test_wrong_media_type_is_415(world, staff):
    r = staff.post(
        "/api/v1/cases/", "item=1&text=x", content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 415
    assert error_of(r)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("month", ["2026-13", "1899-01", "3000-01", "2026", "abc", "2026-00"])
def test_assessment_month_out_of_range_is_400(world, staff, month):
    r = staff.get("/api/v1/assessment/", {"month": month})
    assert r.status_code == 400
    assert "month" in error_of(r)["details"]
    assert "YYYY-MM" in error_of(r)["message"]


def test_unknown_filter_choice_is_400(world, staff):
    r = staff.get("/api/v1/cases/", {"status": "flying"})
    assert r.status_code == 400
    assert "status" in error_of(r)["details"]
    r = staff.get("/api/v1/residents/", {"grid": "1.5"})
    assert r.status_code == 400 and "grid" in error_of(r)["details"]


def test_bad_page_is_404(world, staff):
    r = staff.get("/api/v1/cases/", {"page": 99})
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_users_are_throttled(world, staff, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "3/min",
        },
    }
    codes = [staff.get("/api/v1/areas/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = staff.get("/api/v1/areas/")
    assert error_of(r)["code"] == "throttled" and error_of(r)["details"]["retry_after"] >= 1


def test_anonymous_callers_are_throttled(world, settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/min",
        },
    }
    client = APIClient()
    # Anonymous callers reach only the open endpoints (the schema, issuing tokens).
    codes = [client.get("/api/v1/schema/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_session_writes_need_csrf(world):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.tiny.staff_a)
    assert client.get("/api/v1/cases/").status_code == 200
    body = {"item": world.tiny.item_community.pk, "text": "x", "grid": world.tiny.grid_a1.pk}
    before = Case.objects.count()
    r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 403 and "CSRF" in error_of(r)["message"]
    assert Case.objects.count() == before
