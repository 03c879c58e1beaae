"""Print a new random key for personal-data encryption (or for the keyed-hash index)."""

from __future__ import annotations

import base64
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.crypto import parse_keys


def next_key_id() -> str:
    spec = settings.CIVICGRID_PII_KEYS
    if not spec:
        return "1"
    _current, keys = parse_keys(spec)
    numbers = [int(k) for k in keys if k.isdigit()]
    return str(max(numbers) + 1) if numbers else "1"


class Command(BaseCommand):
    help = (
        "Print a new 32-byte key. Without options: an encryption key as 'id:base64', to be put "
        "FIRST in CIVICGRID_PII_KEYS (keep the old keys after it). With --index: a base64 key "
        "for CIVICGRID_PII_INDEX_KEY. Only the new key is printed, never the configured ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--index", action="store_true", help="a key for the keyed-hash index")
        parser.add_argument("--id", dest="key_id", default="", help="key id (default: next number)")

    def handle(self, *args, index: bool, key_id: str, **options):
        key = base64.b64encode(os.urandom(32)).decode()
        if index:
            self.stdout.write(key)
            self.stderr.write(
                "Put it in CIVICGRID_PII_INDEX_KEY, deploy, then run "
                "'manage.py rotate_pii_keys --reindex' (see docs/security.md)."
            )
            return
        key_id = key_id or next_key_id()
        if not key_id or "$" in key_id or "," in key_id or ":" in key_id:
            raise CommandError("A key id must not contain '$', ',' or ':'.")
        self.stdout.write(f"{key_id}:{key}")
        self.stderr.write(
            "Put it FIRST in CIVICGRID_PII_KEYS, keeping the old keys after it; deploy; then run "
            "'manage.py rotate_pii_keys' (see docs/security.md)."
        )
