"""Archive audit rows older than the retention period to a JSON-lines file, then delete them.

    manage.py prune_audit --archive var/audit-2026.jsonl.gz [--days 365] [--dry-run]

Rows younger than CIVICGRID_AUDIT_RETENTION_DAYS (default 365) are never touched, and fewer
than 180 days is refused (网络安全法 Art. 21: logs kept at least six months). The archive is
written and flushed before anything is deleted; the deletion itself is one more audit row.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from civicgrid.core.audit import audit_record
from civicgrid.core.models import AuditLog

MINIMUM_DAYS = 180


class Command(BaseCommand):
    help = "Archive and delete audit rows older than the retention period (at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--archive", required=True, help="file to append the rows to (.gz to compress)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, archive, dry_run, **options):
        days = days if days is not None else settings.CIVICGRID_AUDIT_RETENTION_DAYS
        if days < MINIMUM_DAYS:
            raise CommandError(f"Audit rows must be kept at least {MINIMUM_DAYS} days (asked: {days}).")
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = AuditLog.objects.filter(at__lt=cutoff).order_by("id")
        count = old.count()
        if dry_run or not count:
            self.stdout.write(f"{count} audit rows older than {days} days" + (" (dry run)" if dry_run else ""))
            return
        opener = gzip.open if archive.endswith(".gz") else open
        last_id = 0
        with opener(archive, "at", encoding="utf-8") as out:
            for row in old.values("id", "actor_id", "action", "object_type", "object_id", "field",
                                  "detail", "ip_address", "at").iterator(chunk_size=2000):
                row["at"] = row["at"].isoformat()
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                last_id = row["id"]
        with transaction.atomic():
            # The QuerySet's delete bypasses the model's refusal on purpose: this is the one way out.
            deleted = AuditLog.objects.filter(at__lt=cutoff, id__lte=last_id)._raw_delete(AuditLog.objects.db)
            audit_record(actor=None, action=AuditLog.Action.PRUNE,
                         detail={"rows": deleted, "older_than_days": days, "archive": archive.rsplit("/", 1)[-1]})
        self.stdout.write(f"archived and deleted {deleted} audit rows older than {days} days")
