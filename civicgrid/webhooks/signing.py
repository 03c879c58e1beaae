"""Payloads and signatures. The body is canonical JSON (sorted keys, no spaces, UTF-8), so a
replay sends the very bytes of the first attempt; the signature covers the timestamp and body.

    X-CivicGrid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time

from django.utils import timezone

SIGNATURE_HEADER = "X-CivicGrid-Signature"
EVENT_HEADER = "X-CivicGrid-Event"
DELIVERY_HEADER = "X-CivicGrid-Delivery"
SECRET_PREFIX = "whsec_"

# Mobile and ID numbers someone may have typed into a ledger note.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])(\d{4})\d{10}(\d{3}[\dXx])(?![\dXx])")


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (docs/webhooks.md has the same code for partners)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def scrub(note: str) -> str:
    """Mask phone and ID numbers in free text before it leaves the system."""
    note = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", note or "")
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), note)


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def case_payload(row: dict) -> dict:
    """The case as partners see it: codes, state and deadlines; no reporter, text or phone."""
    return {
        "number": row["number"],
        "status": row["status"],
        "source": row["source"],
        "external_id": row["external_id"],
        "item_code": row["item__code"],
        "item_name": row["item__name"],
        "level": row["level"],
        "mode": row["mode"],
        "urgent": row["urgent"],
        "area_code": row["area__code"],
        "grid_code": row["grid__code"],
        "located": row["located"],
        "handler": row["handler_unit__name"] or row["handler_area__name"] or "",
        "accept_due": _iso(row["accept_due"]),
        "resolve_due": _iso(row["resolve_due"]),
        "sla_state": row["sla_state"],
        "rating": row["rating"],
        "reopen_count": row["reopen_count"],
        "created_at": _iso(row["created_at"]),
        "resolved_at": _iso(row["resolved_at"]),
        "closed_at": _iso(row["closed_at"]),
    }


CASE_FIELDS = (
    "id",
    "number",
    "status",
    "source",
    "external_id",
    "item__code",
    "item__name",
    "level",
    "mode",
    "urgent",
    "area__code",
    "grid__code",
    "located",
    "handler_unit__name",
    "handler_area__name",
    "accept_due",
    "resolve_due",
    "sla_state",
    "rating",
    "reopen_count",
    "created_at",
    "resolved_at",
    "closed_at",
)


def event_payload(
    *,
    key: str,
    event_type: str,
    occurred_at,
    case: dict,
    action: str = "",
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> dict:
    return {
        "id": key,
        "type": event_type,
        "occurred_at": _iso(occurred_at),
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "note": scrub(note),
        "case": case,
    }
