"""Tokens: issue (password, TOTP, lock-out), use, list, revoke, expiry; the api_token command;
partner keys and their scopes."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from civicgrid.api.models import ApiToken
from civicgrid.api.tokens import token_issue
from civicgrid.cases.models import Case
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

from .conftest import error_of

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"
TOKENS = "/api/v1/auth/tokens/"


def issue(client, **body):
    headers = {k: body.pop(k) for k in list(body) if k.startswith("HTTP_")}
    data = {"username": "staff_a", "password": PASSWORD, **body}
    return client.post(TOKENS, data, format="json", **headers)


def test_issue_token_with_password_then_use_it(tiny):
    client = APIClient()
    r = issue(client, name="脚本", expires_in_days=30)
    assert r.status_code == 201, r.content
    data = r.json()
    raw = data["token"]
    assert raw.startswith("cgt_") and data["prefix"] in raw and data["name"] == "脚本"
    row = ApiToken.objects.get(pk=data["id"])
    assert raw not in row.key_hash and len(row.key_hash) == 64  # only a hash is stored
    assert dt.timedelta(days=29) < row.expires_at - timezone.now() <= dt.timedelta(days=30)

    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "staff_a"
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None


def test_list_shows_own_tokens_without_values_and_revoke_stops_them(tiny, as_user):
    mine = token_issue(actor=tiny.staff_a, user=tiny.staff_a, name="a")
    other = token_issue(actor=tiny.staff_b, user=tiny.staff_b, name="b")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {mine.secret}")
    listed = client.get(TOKENS).json()
    assert [t["id"] for t in listed] == [mine.token.pk]
    assert "token" not in listed[0] and mine.secret not in str(listed)

    # Someone else's token is not found (and stays usable).
    r = client.delete(f"{TOKENS}{other.token.pk}/")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    assert ApiToken.objects.get(pk=other.token.pk).revoked_at is None

    assert client.delete(f"{TOKENS}{mine.token.pk}/").status_code == 204
    r = client.get("/api/v1/auth/me/")
    assert r.status_code == 401
    assert error_of(r)["code"] == "authentication_failed"
    assert "已撤销" in error_of(r)["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer cg_deadbeef_nottherightsecret", "Bearer", "Bearer a b", "Bearer nonsense"],
)
def test_wrong_token_is_401_and_nothing_is_written(world, header):
    before = Case.objects.count()
    client = APIClient(HTTP_AUTHORIZATION=header)
    body = {"item": world.tiny.item_community.pk, "text": "x", "grid": world.tiny.grid_a1.pk}
    r = client.post("/api/v1/cases/", body, format="json")
    assert r.status_code == 401
    assert error_of(r)["code"] == "authentication_failed"
    assert Case.objects.count() == before


def test_expired_token_is_refused(tiny):
    issued = token_issue(actor=tiny.staff_a, user=tiny.staff_a)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now())
    r = APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.secret}").get("/api/v1/areas/")
    assert r.status_code == 401 and error_of(r)["code"] == "authentication_failed"


def test_token_of_deactivated_user_is_refused(tiny):
    issued = token_issue(actor=tiny.staff_a, user=tiny.staff_a)
    tiny.staff_a.is_active = False
    tiny.staff_a.save()
    r = APIClient(HTTP_AUTHORIZATION=f"Bearer {issued.secret}").get("/api/v1/areas/")
    assert r.status_code == 401


def test_no_credentials_is_401(tiny):
    r = APIClient().get("/api/v1/cases/")
    assert r.status_code == 401
    assert error_of(r) == {
        "code": "not_authenticated",
        "message": "请先登录或提供有效的接口令牌。",
        "details": {},
    }
    assert r.headers["WWW-Authenticate"]


def test_wrong_password_is_401_and_five_failures_lock_out(tiny):
    client = APIClient()
    for _ in range(4):
        r = issue(client, password="wrong-password")
        assert r.status_code == 401 and error_of(r)["code"] == "authentication_failed"
    r = issue(client, password="wrong-password")
    assert r.status_code == 429 and error_of(r)["code"] == "locked_out"
    # Locked: even the right password is refused now, and no token is made.
    r = issue(client)
    assert r.status_code == 429
    assert error_of(r)["code"] == "locked_out" and "锁定" in error_of(r)["message"]
    assert not ApiToken.objects.exists()


def _leader_with_device():
    from civicgrid.geo.models import Area

    leader = make_user(Role.LEADER, area=Area.objects.get(level=1), username="leader1")
    device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    return leader, device


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_two_factor_users_need_a_valid_totp_code(tiny):
    leader, device = _leader_with_device()
    client = APIClient()
    body = {"username": "leader1", "password": PASSWORD}
    r = client.post(TOKENS, body, format="json")
    assert r.status_code == 401 and "动态验证码" in error_of(r)["message"]
    r = client.post(TOKENS, {**body, "otp": "000000" if _code(device) != "000000" else "111111"})
    assert r.status_code == 401 and "不正确" in error_of(r)["message"]
    assert not ApiToken.objects.exists()
    # django-otp itself slows down guessing after a failure; wait that out.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    r = client.post(TOKENS, {**body, "otp": _code(device)}, format="json")
    assert r.status_code == 201, r.content
    assert ApiToken.objects.filter(user=leader).count() == 1


def test_wrong_totp_codes_count_toward_lock_out(tiny):
    leader, device = _leader_with_device()
    client = APIClient()
    wrong = "000000" if _code(device) != "000000" else "111111"
    for _ in range(5):
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
        client.post(TOKENS, {"username": "leader1", "password": PASSWORD, "otp": wrong})
    r = client.post(TOKENS, {"username": "leader1", "password": PASSWORD, "otp": _code(device)})
    assert r.status_code == 429 and error_of(r)["code"] == "locked_out"
    assert not ApiToken.objects.exists()


def test_two_factor_user_without_device_is_told_to_set_it_up(tiny):
    from civicgrid.geo.models import Area

    make_user(Role.LEADER, area=Area.objects.get(level=1), username="leader2")
    r = APIClient().post(TOKENS, {"username": "leader2", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and "两步验证" in error_of(r)["message"]


def test_issue_validates_expiry(tiny):
    r = issue(APIClient(), expires_in_days=0)
    assert r.status_code == 400
    assert "expires_in_days" in error_of(r)["details"]
    r = issue(APIClient(), expires_in_days=10_000)
    assert r.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_issue_is_throttled_per_address(tiny, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token_issue": "2/min",
        },
    }
    settings.AXES_FAILURE_LIMIT = 100
    client = APIClient()
    assert issue(client, password="bad-password-1").status_code == 401
    assert issue(client, password="bad-password-2").status_code == 401
    r = issue(client)
    assert r.status_code == 429
    err = error_of(r)
    assert err["code"] == "throttled" and err["details"]["retry_after"] > 0
    assert "Retry-After" in r.headers
    assert not ApiToken.objects.exists()


def test_api_token_command_issues_lists_and_revokes(tiny):
    out = StringIO()
    call_command("api_token", "staff_a", "--name", "夜间同步", stdout=out, stderr=StringIO())
    raw = out.getvalue().strip()
    assert raw.startswith("cgt_")
    token = ApiToken.objects.get(user=tiny.staff_a)
    assert token.name == "夜间同步"
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/auth/me/").status_code == 200

    listing = StringIO()
    call_command("api_token", "staff_a", "--list", stdout=listing)
    assert f"cgt_{token.prefix}_" in listing.getvalue() and raw not in listing.getvalue()

    call_command("api_token", "staff_a", "--revoke", str(token.pk), stdout=StringIO())
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/auth/me/").status_code == 401


def test_api_token_command_unknown_user(tiny):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=StringIO())


# ---------------------------------------------------------------- partner keys


@pytest.fixture
def partner_key(world):
    from civicgrid.partners import services

    partner = services.partner_create(actor=None, name="市民热线平台", area=world.tiny.community_a)

    def make(*scopes):
        return services.key_issue(actor=None, partner=partner, scopes=list(scopes))[1]

    return make


def test_partner_key_reads_only_its_area(world, partner_key):
    raw = partner_key("api:read")
    client = APIClient(HTTP_X_API_KEY=raw)
    r = client.get("/api/v1/cases/")
    assert r.status_code == 200
    ids = {c["id"] for c in r.json()["results"]}
    assert world.case_a.pk in ids and world.case_b.pk not in ids
    assert client.get(f"/api/v1/cases/{world.case_b.pk}/").status_code == 404


def test_partner_key_without_write_scope_cannot_write(world, partner_key):
    raw = partner_key("api:read")
    before = Case.objects.count()
    body = {"item": world.tiny.item_community.pk, "text": "井盖缺失", "grid": world.tiny.grid_a1.pk}
    r = APIClient(HTTP_X_API_KEY=raw).post("/api/v1/cases/", body, format="json")
    assert r.status_code == 403
    assert error_of(r)["code"] == "forbidden" and "api:write" in error_of(r)["message"]
    assert Case.objects.count() == before


def test_partner_key_outside_its_scopes_cannot_read(world, partner_key):
    raw = partner_key("open311")
    r = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}").get("/api/v1/areas/")
    assert r.status_code == 403 and "api:read" in error_of(r)["message"]


def test_partner_key_with_write_scope_reports_a_case(world, partner_key):
    raw = partner_key("api:read", "api:write")
    body = {"item": world.tiny.item_community.pk, "text": "井盖缺失", "lon": 114.005, "lat": 23.005}
    r = APIClient(HTTP_X_API_KEY=raw).post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201, r.content
    assert Case.objects.get(pk=r.json()["id"]).area == world.tiny.community_a


def test_wrong_partner_key_is_401(world):
    r = APIClient(HTTP_X_API_KEY="cgk_nope_nope").get("/api/v1/areas/")
    assert r.status_code == 401 and error_of(r)["code"] == "authentication_failed"


def test_token_issue_replay_never_stores_the_secret(tiny):
    from civicgrid.api.models import IdempotencyRecord

    client = APIClient()
    first = issue(client, HTTP_IDEMPOTENCY_KEY="issue-1")
    again = issue(client, HTTP_IDEMPOTENCY_KEY="issue-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["token"].startswith("cgt_") and again.json()["token"] is None
    assert {k: v for k, v in again.json().items() if k != "token"} == {
        k: v for k, v in first.json().items() if k != "token"
    }
    assert ApiToken.objects.count() == 1
    assert first.json()["token"] not in str(list(IdempotencyRecord.objects.values()))
