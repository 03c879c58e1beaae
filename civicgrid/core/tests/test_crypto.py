import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from civicgrid.core import crypto

KEY2 = base64.b64encode(b"k" * 32).decode()


def test_round_trip_aes_and_tokens_differ():
    a = crypto.encrypt("441322199001011234")
    b = crypto.encrypt("441322199001011234")
    assert a != b  # random nonce
    assert crypto.decrypt(a) == "441322199001011234"
    assert "441322" not in a


@override_settings(CIVICGRID_PII_CIPHER="sm4-gcm")
def test_round_trip_sm4():
    token = crypto.encrypt("13800138000")
    assert token.split("$")[1] == "sm4-gcm"
    assert crypto.decrypt(token) == "13800138000"


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13800138000")
    key_id, cipher, b64 = token.split("$")
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        crypto.decrypt(f"{key_id}${cipher}${base64.b64encode(bytes(raw)).decode()}")


def test_rotation_old_key_still_decrypts(settings):
    old_token = crypto.encrypt("13800138000")
    settings.CIVICGRID_PII_KEYS = f"2:{KEY2},{settings.CIVICGRID_PII_KEYS}"
    new_token = crypto.encrypt("13800138000")
    assert crypto.key_id_of(new_token) == "2"
    assert crypto.decrypt(old_token) == "13800138000"
    assert crypto.decrypt(new_token) == "13800138000"


def test_missing_key_is_a_configuration_error(settings):
    settings.CIVICGRID_PII_KEYS = ""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_blind_index_is_deterministic_and_keyed(settings):
    a = crypto.blind_index("13800138000")
    assert a == crypto.blind_index("13800138000")
    assert a != crypto.blind_index("13800138001")
    settings.CIVICGRID_PII_INDEX_KEY = base64.b64encode(b"another-index-key-123").decode()
    assert crypto.blind_index("13800138000") != a


@pytest.mark.parametrize(
    ("value", "masked"),
    [("441322199001011234", "4413**********1234"), ("13800138000", "138****8000"), ("", "")],
)
def test_masking(value, masked):
    fn = crypto.mask_id_number if len(value) == 18 else crypto.mask_phone
    assert fn(value) == masked


@pytest.mark.django_db
def test_resident_pii_is_ciphertext_in_the_database(tiny):
    from civicgrid.people.services import resident_create
    from civicgrid.testing.factories import valid_id_number

    idn = valid_id_number()
    r = resident_create(
        actor=tiny.staff_a, name="张三", grid=tiny.grid_a1, id_number=idn, phone="13800138000"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM people_resident WHERE id = %s", [r.pk])
        raw_id, raw_phone = cur.fetchone()
    assert idn not in raw_id and "13800138000" not in raw_phone
    r.refresh_from_db()
    assert r.id_number == idn and r.phone == "13800138000"
    assert r.id_number_masked == idn[:4] + "*" * 10 + idn[-4:]
