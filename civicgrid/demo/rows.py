"""Fast inserts for the biggest tables (residents, households, many-to-many links).

bulk_create spends most of its time preparing each value through three layers of the ORM;
at a million rows that is minutes. Here rows are plain dicts keyed by attribute name, each
value goes through its model field's own database preparation only where the field needs
one (encrypted text, dates, times), ids are handed out in advance, and the rows are written
with executemany. Sequences are reset afterwards, as loaddata does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from civicgrid.core.fields import EncryptedTextField

CHUNK = 5000


class RowWriter:
    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}
        self._touched: set[type[models.Model]] = set()
        self._plans: dict[tuple, tuple[str, list[str], list[Callable | None]]] = {}

    def ids(self, model: type[models.Model], n: int) -> range:
        """n fresh primary keys for model (this loader must be the only writer meanwhile)."""
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self._next[model]
        self._next[model] = start + n
        return range(start, start + n)

    def _plan(self, model: type[models.Model], with_pk: bool):
        if (model, with_pk) not in self._plans:
            fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
            qn = connection.ops.quote_name
            cols = ", ".join(qn(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"
            self._plans[model, with_pk] = (
                sql,
                [f.attname for f in fields],
                [self._converter(f) for f in fields],
            )
        return self._plans[model, with_pk]

    @staticmethod
    def _converter(field: models.Field) -> Callable | None:
        if isinstance(field, models.DateTimeField):
            # Rows of one batch share their time stamps: prepare each distinct value once.
            memo: dict = {}

            def convert(value):
                if value not in memo:
                    memo.clear()
                    memo[value] = field.get_db_prep_save(value, connection)
                return memo[value]

            return convert
        if isinstance(field, EncryptedTextField | models.DateField | models.JSONField):
            return lambda value: field.get_db_prep_save(value, connection)
        return None

    def insert(
        self, model: type[models.Model], rows: Iterable[dict[str, Any]], *, with_pk: bool = True
    ) -> int:
        """Insert rows; with_pk=False leaves the key to the database (link tables)."""
        sql, names, converters = self._plan(model, with_pk)
        pairs = list(zip(names, converters, strict=True))
        batch: list[tuple] = []
        count = 0
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    tuple(conv(row.get(name)) if conv else row.get(name) for name, conv in pairs)
                )
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        if with_pk:
            self._touched.add(model)
        return count

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._touched))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
