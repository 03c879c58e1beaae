"""Fast bulk inserts of model instances for imports: ids allocated up front, then one
``COPY`` (PostgreSQL) or one ``executemany`` (SQLite) per table.

Django's ``bulk_create`` compiles every value of every row through the field machinery
(~1 ms per case row with its ledger and notices); this module decides once per field how
a value is sent and then only moves tuples. Field semantics are kept: ``auto_now`` /
``auto_now_add`` are filled by the field's own ``pre_save``; JSON is encoded with the
field's encoder; any field type not known to be a plain pass-through (encrypted fields,
decimals, UUIDs, custom fields) goes through its own ``get_db_prep_save``.

Must run inside ``transaction.atomic()``: on SQLite the transaction then holds the write
lock (``transaction_mode = IMMEDIATE``), so the ids read from the table stay free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from django.db import connection, models

_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys for `model`, never handed out before."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, n],
            )
            return [row[0] for row in cur.fetchall()]
        qn = connection.ops.quote_name
        cur.execute(f"SELECT COALESCE(MAX({qn(model._meta.pk.column)}), 0) FROM {qn(table)}")
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def _converter(field: models.Field) -> Callable | None:
    """How one field's attribute value becomes a database value (None: as it is)."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if type(field) in _PLAIN:
        return None
    if type(field) is models.DateTimeField:
        if connection.vendor == "postgresql":
            return None
        adapt = connection.ops.adapt_datetimefield_value
        return adapt
    return lambda v, f=field: f.get_db_prep_save(v, connection)


def insert(objs: Sequence[models.Model], *, ids: bool = True) -> None:
    """INSERT the instances (all of one model). With `ids`, they get fresh primary keys first
    (set on the instances); otherwise they must already have them."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    if ids:
        for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
            obj.pk = pk
    fields = [f for f in meta.concrete_fields]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for f in auto:
            f.pre_save(obj, add=True)
    convert = [(f.attname, _converter(f)) for f in fields]
    rows = [
        tuple(getattr(obj, name) if fn is None else fn(getattr(obj, name)) for name, fn in convert)
        for obj in objs
    ]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})", rows)
