"""The audit log: sign-in events, append-only in the database, kept 180 days, read by area;
idle sessions end."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from civicgrid.core.audit import audit_record
from civicgrid.core.middleware import IDLE_KEY
from civicgrid.core.models import AuditLog
from civicgrid.core.selectors import audit_log_list
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user

from .test_auth_security import LOGIN, PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_sign_out_and_failures_are_audited(client, tiny):
    client.post(LOGIN, {"username": "staff_a", "password": "wrong"})
    failed = AuditLog.objects.get(action=AuditLog.Action.LOGIN_FAILED)
    assert failed.actor is None and failed.detail == {"username": "staff_a"} and failed.ip_address
    client.post(LOGIN, {"username": "staff_a", "password": PASSWORD})
    login = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert login.actor == tiny.staff_a
    client.post("/accounts/logout/")
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGOUT, actor=tiny.staff_a).count() == 1


def test_a_lock_out_is_audited(client, tiny):
    for _ in range(5):
        client.post(LOGIN, {"username": "staff_b", "password": "wrong"})
    assert AuditLog.objects.filter(action=AuditLog.Action.LOCKED_OUT, detail__username="staff_b").exists()


def test_rows_cannot_be_changed(tiny):
    row = audit_record(actor=tiny.staff_a, action=AuditLog.Action.EXPORT)
    row.action = AuditLog.Action.IMPORT
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE core_auditlog SET action = 'import' WHERE id = %s", [row.pk])
    assert AuditLog.objects.get(pk=row.pk).action == AuditLog.Action.EXPORT


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_deleting_young_rows(tiny):
    row = audit_record(actor=tiny.staff_a, action=AuditLog.Action.EXPORT)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_prune_archives_old_rows_and_keeps_young_ones(tiny, tmp_path):
    now = timezone.now()
    old = AuditLog.objects.create(actor=tiny.staff_a, action=AuditLog.Action.EXPORT,
                                  at=now - dt.timedelta(days=400), detail={"file": "旧导出.xlsx"})
    kept = AuditLog.objects.create(actor=tiny.staff_a, action=AuditLog.Action.EXPORT,
                                   at=now - dt.timedelta(days=200))
    archive = tmp_path / "audit.jsonl.gz"
    with pytest.raises(CommandError, match="at least 180 days"):
        call_command("prune_audit", "--days", "90", "--archive", str(archive))
    assert AuditLog.objects.filter(pk=old.pk).exists()
    call_command("prune_audit", "--days", "365", "--archive", str(archive))
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=kept.pk).exists()
    lines = [json.loads(x) for x in gzip.open(archive, "rt", encoding="utf-8")]
    assert [x["id"] for x in lines] == [old.pk] and lines[0]["detail"] == {"file": "旧导出.xlsx"}
    prune = AuditLog.objects.get(action=AuditLog.Action.PRUNE)
    assert prune.detail["rows"] == 1 and prune.detail["older_than_days"] == 365


def test_a_street_reader_sees_only_people_of_its_street(tiny):
    from civicgrid.geo import services as geo_services
    from civicgrid.geo.models import Area

    other_street = geo_services.area_create(actor=None, code="441322002000", name="龙溪街道",
                                            level=Area.Level.STREET, parent=tiny.county)
    outsider = make_user(Role.STREET_STAFF, area=other_street, username="longxi")
    reader = make_user(Role.ORG_DEPARTMENT, area=tiny.street, username="zzb_street")
    county_reader = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="zzb_county")
    mine = audit_record(actor=tiny.staff_a, action=AuditLog.Action.EXPORT)
    theirs = audit_record(actor=outsider, action=AuditLog.Action.EXPORT)
    nobody = audit_record(actor=None, action=AuditLog.Action.LOGIN_FAILED)
    seen = set(audit_log_list(user=reader).values_list("pk", flat=True))
    assert mine.pk in seen and theirs.pk not in seen and nobody.pk not in seen
    everything = set(audit_log_list(user=county_reader).values_list("pk", flat=True))
    assert {mine.pk, theirs.pk} <= everything


def test_idle_sessions_are_signed_out(client, tiny, settings):
    settings.CIVICGRID_IDLE_TIMEOUT = 1800
    client.force_login(tiny.staff_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/cases/").status_code == 200
    session = client.session
    assert session[IDLE_KEY]
    session[IDLE_KEY] = int(timezone.now().timestamp()) - 1801
    session.save()
    page = client.get("/cases/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action=AuditLog.Action.IDLE_LOGOUT, actor=tiny.staff_a).exists()
    # JSON callers get 401 with the reason.
    client.force_login(tiny.staff_a, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/cases/")
    session = client.session
    session[IDLE_KEY] = int(timezone.now().timestamp()) - 4000
    session.save()
    answer = client.get("/api/v1/cases/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "session_expired"


def test_an_active_session_stays(client, tiny, settings):
    settings.CIVICGRID_IDLE_TIMEOUT = 1800
    client.force_login(tiny.staff_a, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/cases/")
    session = client.session
    session[IDLE_KEY] = int(timezone.now().timestamp()) - 1700
    session.save()
    assert client.get("/cases/").status_code == 200
    assert int(client.session[IDLE_KEY]) >= int(timezone.now().timestamp()) - 5  # refreshed
