import pytest
from rest_framework.test import APIClient

from civicgrid.partners import services
from civicgrid.partners.drf import HasKeyScope

pytestmark = [pytest.mark.django_db, pytest.mark.urls("civicgrid.partners.tests.urls")]


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def read_key(partner):
    return services.key_issue(actor=None, partner=partner, scopes=["api:read"])[1]


def test_x_api_key_header_authenticates_as_the_service_account(client, partner, read_key, tiny):
    r = client.get("/t/areas/", HTTP_X_API_KEY=read_key)
    assert r.status_code == 200
    assert r.json() == {"user": partner.user.username, "areas": [tiny.community_a.code]}


def test_authorization_api_key_header_works_too(client, read_key):
    r = client.get("/t/areas/", HTTP_AUTHORIZATION=f"Api-Key {read_key}")
    assert r.status_code == 200


def test_a_bad_key_is_401_with_a_translated_message(client, read_key):
    r = client.get("/t/areas/", HTTP_X_API_KEY=read_key + "x")
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "API 密钥无效。"
    assert r["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_is_401_with_its_own_message(client, partner):
    key, raw = services.key_issue(actor=None, partner=partner, scopes=["api:read"])
    services.key_revoke(actor=None, key=key)
    r = client.get("/t/areas/", HTTP_X_API_KEY=raw)
    assert r.status_code == 401 and r.json()["error"]["message"] == "该 API 密钥已被吊销。"


def test_a_suspended_partner_is_403(client, partner, read_key):
    services.partner_set_active(actor=None, partner=partner, active=False)
    r = client.get("/t/areas/", HTTP_X_API_KEY=read_key)
    assert r.status_code == 403 and r.json()["error"]["message"] == "该外部合作方已停用。"


def test_the_scope_is_required_per_method(client, read_key, partner):
    assert client.post("/t/areas/", {}, HTTP_X_API_KEY=read_key).status_code == 403
    r = client.get("/t/webhooks/", HTTP_X_API_KEY=read_key)
    assert r.status_code == 403 and "webhooks" in r.json()["error"]["message"]
    write_key = services.key_issue(actor=None, partner=partner, scopes=["api:write"])[1]
    assert client.post("/t/areas/", {}, HTTP_X_API_KEY=write_key).status_code == 201
    assert client.get("/t/areas/", HTTP_X_API_KEY=write_key).status_code == 403


def test_session_requests_pass_the_scope_check(client, tiny):
    client.force_login(tiny.staff_a)
    r = client.get("/t/areas/")
    assert r.status_code == 200 and r.json()["areas"] == [tiny.community_a.code]
    assert client.post("/t/areas/", {}).status_code == 201


def test_no_credentials_is_refused(client):
    assert client.get("/t/areas/").status_code in (401, 403)
    assert client.get("/t/webhooks/").status_code == 401


def test_has_key_scope_needs_a_scope():
    with pytest.raises(ValueError):
        HasKeyScope()
