"""Passwords (Argon2), lock-out (django-axes), TOTP two-factor, CSP, deploy checks, audit page."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicgrid.core.audit import audit_record
from civicgrid.core.models import AuditLog
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

ROOT = Path(__file__).resolve().parents[3]
BACKEND = "django.contrib.auth.backends.ModelBackend"
LOGIN = "/accounts/login/"
PASSWORD = "pass-word-123"


def _prod_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CIVICGRID_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY="prod-" + os.urandom(48).hex(),
        CIVICGRID_PII_KEYS="1:" + __import__("base64").b64encode(os.urandom(32)).decode(),
        CIVICGRID_PII_INDEX_KEY=__import__("base64").b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS="civicgrid.example.org",
        CIVICGRID_DATA_DIR=str(tmp_path),
    )
    env.pop("DATABASE_URL", None)
    env.update(extra)
    return env


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------- Argon2
def test_base_settings_hash_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        hashed = make_password(PASSWORD)
        assert hashed.startswith("argon2$argon2id$")
        assert identify_hasher(hashed).algorithm == "argon2"
        assert check_password(PASSWORD, hashed) and not check_password("wrong", hashed)
        # A PBKDF2 hash from elsewhere still verifies, and is upgraded on the next check.
        old = make_password(PASSWORD, hasher="pbkdf2_sha256")
        upgraded = []
        assert check_password(PASSWORD, old, setter=upgraded.append)
        assert upgraded == [PASSWORD]


def test_prod_settings_hash_with_argon2(tmp_path):
    code = "from django.contrib.auth.hashers import make_password; print(make_password('x'))"
    result = _manage(_prod_env(tmp_path), "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("argon2$argon2id$")


# ---------------------------------------------------------------- deploy checks
def test_check_deploy_is_clean_under_prod_settings(tmp_path):
    result = _manage(_prod_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_prod_settings_refuse_to_start_without_secrets(tmp_path):
    env = _prod_env(tmp_path)
    env.pop("CIVICGRID_PII_KEYS")
    result = _manage(env, "check")
    assert result.returncode != 0 and "CIVICGRID_PII_KEYS" in result.stderr


def test_check_deploy_catches_a_weak_secret_key(tmp_path):
    result = _manage(
        _prod_env(tmp_path, DJANGO_SECRET_KEY="short"),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0 and "security.W009" in result.stderr


# ---------------------------------------------------------------- lock-out
def _login(client, password):
    return client.post(LOGIN, {"username": "staff_a", "password": password})


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account(client, tiny):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with its error
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    right = _login(client, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    page = right.content.decode()
    assert "账号已暂时锁定" in page and "连续 5 次登录失败" in page and "0:30:00" in page
    assert AccessAttempt.objects.get(username="staff_a").failures_since_start >= 5


@pytest.mark.django_db
def test_lock_ends_after_cool_off(client, tiny):
    for _ in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    response = _login(client, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(tiny.staff_a.pk)


@pytest.mark.django_db
def test_axes_reset_unlocks(client, tiny):
    for _ in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    call_command("axes_reset", stdout=open(os.devnull, "w"))
    assert _login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lock_is_per_username_and_address(client, tiny):
    for _ in range(5):
        _login(client, "wrong")
    other = client.post(LOGIN, {"username": "staff_b", "password": PASSWORD})
    assert other.status_code == 302


# ---------------------------------------------------------------- two-factor
def _token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def leader(tiny):
    return make_user(Role.LEADER, area=tiny.county, username="leader")


@pytest.mark.django_db
def test_leader_sets_up_totp_with_a_qr_code(client, leader):
    client.force_login(leader, backend=BACKEND)
    r = client.get("/cases/?x=1")
    assert r.status_code == 302 and r["Location"] == "/accounts/2fa/?next=%2Fcases%2F%3Fx%3D1"
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/setup/?next=")
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "设置双因素验证" in html
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    secret = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert __import__("base64").b32decode(secret.replace(" ", "")) == device.bin_key
    r = client.post("/accounts/2fa/setup/", {"token": _token(device), "next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_wrong_code_is_refused(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    client.force_login(leader, backend=BACKEND)
    good = _token(device)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    r = client.post("/accounts/2fa/", {"token": wrong, "next": "/"})
    assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    assert client.get("/").status_code == 302  # still not verified
    # Not a setup page for someone with a confirmed device.
    assert client.get("/accounts/2fa/setup/")["Location"].startswith("/accounts/2fa/?")


@pytest.mark.django_db
def test_verify_with_code_and_no_replay(client, leader, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    client.force_login(leader, backend=BACKEND)
    token = _token(device)
    r = client.post("/accounts/2fa/?next=/accounts/audit/", {"token": token})
    assert r.status_code == 302 and r["Location"] == "/accounts/audit/"
    assert client.get("/").status_code == 200
    # The same code cannot be used again in another session.
    client.logout()
    client.force_login(leader, backend=BACKEND)
    r = client.post("/accounts/2fa/", {"token": token, "next": "/"})
    assert r.status_code == 200 and client.get("/").status_code == 302


@pytest.mark.django_db
def test_external_next_is_ignored(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    client.force_login(leader, backend=BACKEND)
    r = client.post("/accounts/2fa/", {"token": _token(device), "next": "https://evil.example/"})
    assert r["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["superuser", "staff", "system_admin"])
def test_admins_are_asked(client, tiny, kind):
    if kind == "system_admin":
        user = make_user(Role.SYSTEM_ADMIN)
    else:
        user = make_user(**{f"is_{kind}": True})
    client.force_login(user, backend=BACKEND)
    assert client.get("/")["Location"].startswith("/accounts/2fa/")
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/")
    assert client.get("/accounts/audit/")["Location"].startswith("/accounts/2fa/")
    r = client.get("/api/v1/cases/")  # the API answers in its own error shape, not a redirect
    assert r.status_code == 403 and r.json()["error"]["code"] == "second_factor_required"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff_a", "street", "worker_a1", "parttime_a1"])
def test_other_roles_are_not_asked(client, tiny, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username), backend=BACKEND)
    assert client.get("/").status_code == 200


# ---------------------------------------------------------------- CSP
@pytest.mark.django_db
def test_csp_header_on_pages(client):
    r = client.get(LOGIN)
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.django_db
def test_csp_report_only(client, settings):
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": ["'none'"], "upgrade-insecure-requests": []}
    settings.SECURE_CSP = {}
    r = client.get(LOGIN)
    assert "Content-Security-Policy" not in r
    assert (
        r["Content-Security-Policy-Report-Only"] == "default-src 'none'; upgrade-insecure-requests"
    )


TEMPLATE_ROOT = ROOT / "civicgrid"


def test_no_inline_scripts_in_templates():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    scripts, handlers = [], []
    for path in TEMPLATE_ROOT.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        if inline_script.search(text):
            scripts.append(rel)
        if handler.search(text):
            handlers.append(rel)
    assert scripts == [] and handlers == []


# ---------------------------------------------------------------- audit log page
@pytest.fixture
def audited(tiny):
    org_dept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="zuzhibu")
    audit_record(actor=tiny.staff_a, action=AuditLog.Action.REVEAL, obj=tiny.grid_a1, field="phone")
    audit_record(actor=tiny.street_staff, action=AuditLog.Action.EXPORT, obj=tiny.grid_b1)
    AuditLog.objects.create(
        actor=tiny.staff_a, action=AuditLog.Action.SEARCH, at=timezone.now() - dt.timedelta(days=40)
    )
    return org_dept


@pytest.mark.django_db
def test_audit_page_for_org_department_with_filters(client, audited, tiny):
    client.force_login(audited, backend=BACKEND)
    page = client.get("/accounts/audit/")
    rows = page.context["page"].object_list
    # The three rows above, and the reader's own sign-in (sign-ins are audited too).
    assert page.status_code == 200 and len(rows) == 4
    assert [(r.action, r.actor) for r in rows if r.action == "login"] == [("login", audited)]
    rows = client.get("/accounts/audit/", {"action": "reveal"}).context["page"].object_list
    assert [(r.actor, r.field) for r in rows] == [(tiny.staff_a, "phone")]
    rows = client.get("/accounts/audit/", {"actor": "street"}).context["page"].object_list
    assert [r.action for r in rows] == ["export"]
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    rows = client.get("/accounts/audit/", {"date_from": since}).context["page"].object_list
    assert {r.action for r in rows} == {"reveal", "export", "login"}
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    rows = client.get("/accounts/audit/", {"date_to": until}).context["page"].object_list
    assert [r.action for r in rows] == ["search"]
    assert "查看完整个人信息" in client.get("/accounts/audit/").content.decode()


@pytest.mark.django_db
def test_audit_page_is_closed_to_others(client, audited, tiny):
    assert client.get("/accounts/audit/").status_code == 302  # anonymous: to login
    for user in (tiny.staff_a, tiny.street_staff, tiny.worker_a1):
        client.force_login(user, backend=BACKEND)
        assert client.get("/accounts/audit/").status_code == 403
