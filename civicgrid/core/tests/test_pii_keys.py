"""generate_pii_key and rotate_pii_keys: rows stay readable at every step."""

import base64
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from civicgrid.core import crypto
from civicgrid.core.management.commands.rotate_pii_keys import encrypted_models
from civicgrid.core.models import AuditLog
from civicgrid.people.models import Resident
from civicgrid.people.selectors import resident_search
from civicgrid.people.services import resident_create
from civicgrid.testing.factories import valid_id_number

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _raw(pk: int) -> tuple[str, str, str, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id_number, phone, phone_index, updated_at FROM people_resident WHERE id = %s",
            [pk],
        )
        return cur.fetchone()


@pytest.fixture
def people(tiny):
    rows = [
        resident_create(
            actor=None,
            name=f"居民{i}",
            grid=tiny.grid_a1,
            id_number=valid_id_number(),
            phone=f"1380013{i:04d}",
        )
        for i in range(7)
    ]
    rows.append(resident_create(actor=None, name="无证件", grid=tiny.grid_a1, gender="M"))
    return rows


def test_generate_key_is_valid_and_numbered(settings):
    line = _run("generate_pii_key").strip()
    key_id, b64 = line.split(":")
    assert key_id == "2"  # test settings hold key "1"
    assert len(base64.b64decode(b64)) == 32
    assert settings.CIVICGRID_PII_KEYS.split(":")[1] not in line  # never prints configured keys
    crypto.parse_keys(f"{line},{settings.CIVICGRID_PII_KEYS}")  # accepted as a key ring
    index = _run("generate_pii_key", "--index").strip()
    assert len(base64.b64decode(index)) == 32
    assert _run("generate_pii_key", "--id", "2026a").startswith("2026a:")
    with pytest.raises(CommandError):
        _run("generate_pii_key", "--id", "x$y")


def test_discovers_every_model_with_encrypted_fields():
    labels = {m._meta.label_lower for m in encrypted_models()}
    assert {"people.resident", "people.partymember"} <= labels


def test_rotation_step_by_step(settings, people, tiny):
    old_tokens = {r.pk: _raw(r.pk) for r in people}
    assert all(crypto.key_id_of(t[0]) == "1" for t in old_tokens.values() if t[0])

    # 1. New key first, old key kept: old rows readable, new writes use key 2.
    new_line = _run("generate_pii_key").strip()
    settings.CIVICGRID_PII_KEYS = f"{new_line},{settings.CIVICGRID_PII_KEYS}"
    assert [r.phone for r in Resident.objects.order_by("id")] == [r.phone for r in people]
    fresh = resident_create(
        actor=None, name="新居民", grid=tiny.grid_a1, phone="13900139000", gender="F"
    )
    assert crypto.key_id_of(_raw(fresh.pk)[1]) == "2"

    # 2. Rotate in small batches: counts reported, audit row written.
    out = _run("rotate_pii_keys", "--batch-size", "3")
    assert "people.resident: 9 rows, 14 values re-encrypted, 1 already current" in out
    for r in people:
        raw = _raw(r.pk)
        before = old_tokens[r.pk]
        if before[0]:
            assert crypto.key_id_of(raw[0]) == "2" and raw[0] != before[0]
        assert raw[2] == before[2]  # index untouched
        assert raw[3] == before[3]  # updated_at untouched: nothing else recomputed
    audit = AuditLog.objects.get(action=AuditLog.Action.KEY_ROTATION)
    assert audit.detail["key_id"] == "2"
    assert audit.detail["counts"]["people.resident"]["reencrypted"] == 14

    # 3. Idempotent.
    assert "people.resident: 9 rows, 0 values re-encrypted, 15 already current" in _run(
        "rotate_pii_keys"
    )

    # 4. Old key removed: everything still readable and searchable.
    settings.CIVICGRID_PII_KEYS = new_line
    assert [
        r.phone for r in Resident.objects.filter(pk__in=[p.pk for p in people]).order_by("id")
    ] == [r.phone for r in people]
    assert list(resident_search(user=tiny.staff_a, q=people[3].phone)) == [people[3]]


def test_rotation_reads_throughout_a_batch(settings, people):
    """Between batches, rows under both keys are readable."""
    settings.CIVICGRID_PII_KEYS = (
        f"2:{base64.b64encode(b'n' * 32).decode()},{settings.CIVICGRID_PII_KEYS}"
    )
    _run("rotate_pii_keys", "--batch-size", "2", "--dry-run")
    assert AuditLog.objects.filter(action=AuditLog.Action.KEY_ROTATION).count() == 0  # dry run
    assert all(crypto.key_id_of(_raw(r.pk)[0]) == "1" for r in people[:7])
    # Re-encrypt only the first rows by hand, then read all of them.
    with connection.cursor() as cur:
        for r in people[:3]:
            cur.execute(
                "UPDATE people_resident SET phone = %s WHERE id = %s",
                [crypto.encrypt(r.phone), r.pk],
            )
    keys = {crypto.key_id_of(_raw(r.pk)[1]) for r in people[:7]}
    assert keys == {"1", "2"}
    assert [
        r.phone for r in Resident.objects.filter(pk__in=[p.pk for p in people]).order_by("id")
    ] == [r.phone for r in people]


def test_cipher_switch_is_a_rotation(settings, people):
    settings.CIVICGRID_PII_CIPHER = "sm4-gcm"
    _run("rotate_pii_keys")
    assert _raw(people[0].pk)[0].split("$")[1] == "sm4-gcm"
    assert Resident.objects.get(pk=people[0].pk).id_number == people[0].id_number


def test_missing_old_key_stops_with_a_clear_error(settings, people):
    settings.CIVICGRID_PII_KEYS = f"2:{base64.b64encode(b'n' * 32).decode()}"
    with pytest.raises(CommandError, match="keep old keys"):
        _run("rotate_pii_keys")


def test_index_key_rotation_needs_reindex(settings, people, tiny):
    target = people[2]
    settings.CIVICGRID_PII_INDEX_KEY = base64.b64encode(
        b"a-brand-new-index-key-32-bytes!!"
    ).decode()
    # Until reindexing, exact search misses (the stored index is under the old key).
    assert list(resident_search(user=tiny.staff_a, q=target.phone)) == []
    out = _run("rotate_pii_keys", "--reindex")
    assert "0 values re-encrypted" in out and "14 indexes recomputed" in out
    assert list(resident_search(user=tiny.staff_a, q=target.phone)) == [target]
    assert list(resident_search(user=tiny.staff_a, q=target.id_number)) == [target]
    assert "0 indexes recomputed" in _run("rotate_pii_keys", "--reindex")
