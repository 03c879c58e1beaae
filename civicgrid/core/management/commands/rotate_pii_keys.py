"""Re-encrypt every encrypted field of every model under the current key (and cipher).

Idempotent: values already under the current key and cipher are left alone. Works in
batches by primary key, each batch in its own transaction, with compare-and-set updates
so that a row changed by the application meanwhile is not overwritten. Nothing but the
encrypted columns (and, with --reindex, their ``<field>_index`` columns) is written.
"""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from civicgrid.core import crypto
from civicgrid.core.audit import audit_record
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.models import AuditLog


def encrypted_columns(model) -> list[tuple[str, str | None]]:
    """(column, index column or None) for each encrypted field stored in the model's own table."""
    result = []
    for f in model._meta.local_concrete_fields:
        if isinstance(f, EncryptedTextField):
            try:
                index = model._meta.get_field(f"{f.name}_index").column
            except FieldDoesNotExist:
                index = None
            result.append((f.column, index))
    return result


def encrypted_models() -> list:
    return [
        m
        for m in apps.get_models()
        if not m._meta.proxy and m._meta.managed and encrypted_columns(m)
    ]


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key; --reindex also recomputes keyed-hash indexes."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="recompute <field>_index columns under the current CIVICGRID_PII_INDEX_KEY",
        )
        parser.add_argument("--dry-run", action="store_true", help="count only, write nothing")

    def handle(self, *args, batch_size: int, reindex: bool, dry_run: bool, **options):
        ring = crypto.keyring()
        counts: dict[str, Counter] = {}
        try:
            for model in encrypted_models():
                counts[model._meta.label_lower] = self._rotate_model(
                    model, ring, batch_size=batch_size, reindex=reindex, dry_run=dry_run
                )
        except ImproperlyConfigured as e:
            raise CommandError(f"{e} Rotation stopped; rows done so far stay readable.")
        total = sum(counts.values(), Counter())
        for label, c in counts.items():
            self.stdout.write(
                f"{label}: {c['rows']} rows, {c['reencrypted']} values re-encrypted, "
                f"{c['current']} already current, {c['reindexed']} indexes recomputed, "
                f"{c['raced']} changed meanwhile"
            )
        self.stdout.write(
            f"Total: {total['reencrypted']} re-encrypted, {total['reindexed']} reindexed "
            f"under key {ring.current_id} ({ring.cipher})" + (" [dry run]" if dry_run else "")
        )
        if not dry_run:
            audit_record(
                actor=None,
                action=AuditLog.Action.KEY_ROTATION,
                detail={
                    "key_id": ring.current_id,
                    "cipher": ring.cipher,
                    "reindex": reindex,
                    "counts": {label: dict(c) for label, c in counts.items()},
                },
            )

    def _rotate_model(self, model, ring, *, batch_size, reindex, dry_run) -> Counter:
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        columns = encrypted_columns(model)
        select_cols = ", ".join(qn(c) for c, _i in columns)
        index_cols = [i for _c, i in columns if i]
        select_idx = "".join(f", {qn(i)}" for i in index_cols)
        prefix = (ring.current_id, ring.cipher)
        c: Counter = Counter()
        last = None
        while True:
            where = f"WHERE {pk} > %s " if last is not None else ""
            sql = f"SELECT {pk}, {select_cols}{select_idx} FROM {table} {where}ORDER BY {pk}"
            with connection.cursor() as cur:
                cur.execute(
                    f"{sql} {connection.ops.limit_offset_sql(0, batch_size)}",
                    [last] if last is not None else [],
                )
                rows = cur.fetchall()
            if not rows:
                return c
            with transaction.atomic():
                for row in rows:
                    c["rows"] += 1
                    self._rotate_row(model, row, columns, index_cols, prefix, c, reindex, dry_run)
            last = rows[-1][0]

    def _rotate_row(self, model, row, columns, index_cols, prefix, c, reindex, dry_run) -> None:
        qn = connection.ops.quote_name
        pk_value, values = row[0], row[1 : 1 + len(columns)]
        indexes = dict(zip(index_cols, row[1 + len(columns) :], strict=True))
        for (column, index_column), token in zip(columns, values, strict=True):
            if not token:
                continue
            sets: dict[str, str] = {}
            key_id, cipher, _rest = token.split("$", 2)
            plain = None
            if (key_id, cipher) == prefix:
                c["current"] += 1
            else:
                plain = crypto.decrypt(token)
                sets[column] = crypto.encrypt(plain)
            if reindex and index_column:
                plain = plain if plain is not None else crypto.decrypt(token)
                fresh = crypto.blind_index(plain)
                if fresh != indexes[index_column]:
                    sets[index_column] = fresh
            if not sets or dry_run:
                c["reencrypted"] += column in sets
                c["reindexed"] += index_column in sets if index_column else 0
                continue
            assignments = ", ".join(f"{qn(k)} = %s" for k in sets)
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {qn(model._meta.db_table)} SET {assignments} "
                    f"WHERE {qn(model._meta.pk.column)} = %s AND {qn(column)} = %s",
                    [*sets.values(), pk_value, token],
                )
                if cur.rowcount == 1:
                    c["reencrypted"] += column in sets
                    c["reindexed"] += index_column in sets if index_column else 0
                else:
                    c["raced"] += 1
