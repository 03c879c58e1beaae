"""Encryption of personal data at rest, and a keyed-hash index for exact look-up.

Stored form: ``<key id>$<cipher>$<base64(nonce || ciphertext || tag)>``, so that rows
written under an old key or another cipher stay readable during a key rotation.
Ciphers: AES-256-GCM (default) and SM4-GCM (GB/T 32907, selectable by setting).
The index is HMAC-SHA256 under a separate key, over the normalised value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHERS = ("aes-gcm", "sm4-gcm")


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]
    index_key: bytes
    cipher: str


def parse_keys(spec: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    current = ""
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        key_id, _, b64 = part.partition(":")
        if not key_id or not b64 or "$" in key_id:
            raise ImproperlyConfigured(
                "CIVICGRID_PII_KEYS must look like 'id:base64key,id:base64key'."
            )
        raw = base64.b64decode(b64)
        if len(raw) != 32:
            raise ImproperlyConfigured(f"PII key {key_id!r} must be 32 bytes (got {len(raw)}).")
        keys[key_id] = raw
        current = current or key_id
    if not keys:
        raise ImproperlyConfigured("CIVICGRID_PII_KEYS is empty: set it in the environment.")
    return current, keys


@lru_cache(maxsize=4)
def _keyring(spec: str, index_spec: str, cipher: str) -> KeyRing:
    current, keys = parse_keys(spec)
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"CIVICGRID_PII_CIPHER must be one of {CIPHERS}.")
    index_key = base64.b64decode(index_spec) if index_spec else b""
    if len(index_key) < 16:
        raise ImproperlyConfigured("CIVICGRID_PII_INDEX_KEY must be at least 16 bytes, base64.")
    return KeyRing(current, keys, index_key, cipher)


def keyring() -> KeyRing:
    return _keyring(
        settings.CIVICGRID_PII_KEYS, settings.CIVICGRID_PII_INDEX_KEY, settings.CIVICGRID_PII_CIPHER
    )


def _sm4_gcm_encrypt(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    # SM4 has a 128-bit key: the first half of the 32-byte configured key is used.
    enc = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(data) + enc.finalize() + enc.tag


def _sm4_gcm_decrypt(key: bytes, nonce: bytes, blob: bytes, aad: bytes) -> bytes:
    ct, tag = blob[:-16], blob[-16:]
    dec = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(ct) + dec.finalize()


def encrypt(plaintext: str, *, key_id: str | None = None, cipher: str | None = None) -> str:
    ring = keyring()
    key_id = key_id or ring.current_id
    cipher = cipher or ring.cipher
    key = ring.keys[key_id]
    nonce = os.urandom(12)
    aad = f"{key_id}${cipher}".encode()
    if cipher == "aes-gcm":
        blob = AESGCM(key).encrypt(nonce, plaintext.encode(), aad)
    else:
        blob = _sm4_gcm_encrypt(key, nonce, plaintext.encode(), aad)
    return f"{key_id}${cipher}${base64.b64encode(nonce + blob).decode()}"


def decrypt(token: str) -> str:
    ring = keyring()
    key_id, cipher, b64 = token.split("$", 2)
    if key_id not in ring.keys:
        raise ImproperlyConfigured(
            f"No PII key with id {key_id!r}; keep old keys until rotation ends."
        )
    raw = base64.b64decode(b64)
    nonce, blob = raw[:12], raw[12:]
    key = ring.keys[key_id]
    if cipher == "aes-gcm":
        return AESGCM(key).decrypt(nonce, blob, f"{key_id}${cipher}".encode()).decode()
    if cipher == "sm4-gcm":
        return _sm4_gcm_decrypt(key, nonce, blob, f"{key_id}${cipher}".encode()).decode()
    raise ImproperlyConfigured(f"Unknown cipher {cipher!r} in stored value.")


def key_id_of(token: str) -> str:
    return token.split("$", 1)[0]


def blind_index(value: str) -> str:
    """Keyed hash of a normalised value: equal values give equal indexes, nothing else leaks."""
    if not value:
        return ""
    digest = hmac.new(keyring().index_key, value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode().rstrip("=").lower()


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else value
