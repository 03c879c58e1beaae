"""The shape of an API key: ``cg_<prefix>_<secret>``, and its stored hash.

The prefix (8 characters, lower-case letters and digits) names the key's row and may be
shown; the secret (43 URL-safe characters, 256 random bits) never leaves the response that
issued it. The row keeps SHA-256 of the whole key: with 256 bits of entropy a plain hash
is enough, and it does not break when the Django secret key is rotated.
"""

from __future__ import annotations

import hashlib
import secrets
import string

PREFIX_LENGTH = 8
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits


def new_prefix() -> str:
    return "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))


def new_key(prefix: str) -> str:
    return f"cg_{prefix}_{secrets.token_urlsafe(32)}"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def split_key(raw: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "cg" or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        return None
    if any(c not in _PREFIX_ALPHABET for c in parts[1]):
        return None
    return parts[1]
