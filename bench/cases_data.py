"""Bulk loading of synthetic cases for the queue and sweep benchmarks.

Rows go straight into ``cases_case`` (COPY on PostgreSQL, executemany on SQLite) with one
"report" ledger row each, spread evenly over the county's grids, with texts and search terms
made the way the application makes them (civicgrid.core.textsearch.index_terms). Given the
unit ids of county departments (`units`), about 30% of the located cases are held by one of
them, with a "dispatch" ledger row to it; one in eight of those was first dispatched to
another department (a second "dispatch" row), as a department that sends a case back leaves it.

`history_database` is the set-up of the analysis and report benchmarks: a fresh database with
the county, its departments and a loaded history, or (``--reuse``) one kept by an earlier run.

Two shapes:
  history  three years of cases: ~97% finished, the rest open (realistic work queues)
  open     every case open, created over the last 20 days, deadlines around now (sweep)
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import time

import cases_common as cc

OPEN = ["reported", "accepted", "dispatched", "in_progress", "returned", "reopened", "escalated"]
OPEN_WEIGHTS = [15, 10, 20, 40, 5, 5, 5]
DONE = ["closed", "rated", "merged", "invalid"]
DONE_WEIGHTS = [90, 6, 2, 2]
SOURCES = ["patrol", "resident", "hotline", "gig_worker", "meeting"]
SOURCE_WEIGHTS = [50, 20, 25, 3, 2]
_ALPHABET = string.ascii_uppercase + string.digits


def _columns():
    from civicgrid.cases.models import Case

    return [f.column for f in Case._meta.concrete_fields if f.column != "id"]


def _generator(county, n: int, shape: str, now: dt.datetime, seed: int, units=None):
    """An iterator of one dict per case, in the model's column names. All queries run here,
    before the first row: the rows are consumed inside a COPY on the same connection."""
    from civicgrid.cases.models import MatterItem
    from civicgrid.geo.models import Grid

    items = list(MatterItem.objects.values_list("id", "level", "mode", "revision", "resolve_days"))
    grids = list(
        Grid.objects.filter(pk__in=[g.pk for g in county.grids]).values_list(
            "id", "community_id", "community__parent_id", "min_x", "min_y"
        )
    )
    pool = cc.text_pool(5000, seed=seed)
    return _rows(n, shape, now, random.Random(seed), items, grids, pool, units or [])


def _rows(n, shape, now, rng, items, grids, pool, units):
    limits = json.dumps({"accept_hours": 2, "resolve_kind": "working_days", "resolve_days": 5})
    for i in range(n):
        gid, comm, street, x0, y0 = grids[rng.randrange(len(grids))]
        item_id, level, mode, revision, days = items[rng.randrange(len(items))]
        text, address, terms = pool[rng.randrange(len(pool))]
        if shape == "open":
            created = now - dt.timedelta(seconds=rng.uniform(0, 20 * 86400))
            status = rng.choices(OPEN, OPEN_WEIGHTS)[0]
            due = now + dt.timedelta(seconds=rng.uniform(-5 * 86400, 15 * 86400))
        else:
            created = now - dt.timedelta(seconds=rng.uniform(0, 3 * 365 * 86400))
            age = (now - created).days
            is_open = rng.random() < (0.7 if age <= 30 else 0.01)
            if is_open:
                status = rng.choices(OPEN, OPEN_WEIGHTS)[0]
            elif age <= 30 and rng.random() < 0.3:
                status = "resolved"
            else:
                status = rng.choices(DONE, DONE_WEIGHTS)[0]
            due = created + dt.timedelta(days=max(days, 1) * 1.4)
        warn = created + (due - created) * 0.8
        finished = status not in OPEN
        if finished:
            sla = "green"
        elif shape == "open":  # as the previous sweep, a day ago, left them
            before = now - dt.timedelta(days=1)
            sla = "red" if before > due else "yellow" if before >= warn else "green"
        else:
            sla = "red" if now > due else "yellow" if now >= warn else "green"
        located = rng.random() > 0.02
        lon, lat = x0 + rng.uniform(0, cc.GRID_SIZE), y0 + rng.uniform(0, cc.GRID_SIZE)
        resolved = created + (due - created) * rng.uniform(0.2, 1.1)
        # Only with departments: the other benchmarks keep the same random sequence.
        unit = (
            units[rng.randrange(len(units))] if units and located and rng.random() < 0.3 else None
        )
        yield {
            "number": f"{created:%Y%m%d}{i + 1:08d}",
            "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
            "external_id": "",
            "idempotency_key": None,
            "item_id": item_id,
            "item_revision": revision,
            "level": level,
            "mode": mode,
            "status": status,
            "text": text,
            "search_text": terms,
            "address": address,
            "lon": lon,
            "lat": lat,
            "located": located,
            "suggested_grid_id": None if located else gid,
            "area_id": comm,
            "grid_id": gid if located else None,
            "handler_area_id": None
            if unit
            else (comm if located and rng.random() < 0.75 else street),
            "handler_unit_id": unit,
            "reporter_id": None,
            "reporter_name": "",
            "reporter_phone": "",
            "tracking_code": "".join(rng.choice(_ALPHABET) for _ in range(10)),
            "urgent": rng.random() < 0.02,
            "accept_due": created + dt.timedelta(hours=2),
            "resolve_due": due,
            "warn_at": warn,
            "limits": limits,
            "accepted_at": None if status == "reported" else created + dt.timedelta(hours=1),
            "resolved_at": resolved if status in ("resolved", "rated", "closed") else None,
            "closed_at": resolved + dt.timedelta(days=2) if finished else None,
            "rating": "satisfied" if status in ("rated", "closed") else "",
            "rating_comment": "",
            "reopen_count": 1 if status == "reopened" else 0,
            "merged_into_id": None,
            "sla_state": sla,
            "supervised": rng.random() < 0.005,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        }


def load_cases(
    county,
    n: int,
    *,
    shape: str = "history",
    seed: int = 1,
    chunk: int = 50_000,
    units: list[int] | None = None,
):
    """Insert n cases and n ledger rows (plus the dispatches to `units`, the unit ids of
    departments); returns seconds taken. Progress every `chunk` rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    cols = _columns()
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        first_id = cur.fetchone()[0]
    if connection.vendor == "postgresql":
        dropped = _drop_indexes() if n >= 2_000_000 else []
        raw = connection.connection
        sql = f"COPY cases_case ({', '.join(cols)}) FROM STDIN"
        done = 0
        rows = _generator(county, n, shape, now, seed, units)
        while done < n:
            with raw.cursor() as pc, pc.copy(sql) as copy:
                for row in _take(rows, chunk):
                    copy.write_row([row[c] for c in cols])
                    done += 1
            _progress(done, n, t)
        _recreate_indexes(dropped)
    else:
        placeholders = ", ".join(["%s"] * len(cols))
        sql = f"INSERT INTO cases_case ({', '.join(cols)}) VALUES ({placeholders})"
        done = 0
        rows = _generator(county, n, shape, now, seed, units)
        while done < n:
            batch = [[_sqlite(row[c]) for c in cols] for row in _take(rows, chunk)]
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
            done += len(batch)
            _progress(done, n, t)
    _ledger(first_id)
    if units:
        _dispatches(first_id, units)
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE cases_case")
    seconds = time.perf_counter() - t
    print(f"loaded {n:,} cases (+{n:,} ledger rows) in {seconds:.0f} s")
    return seconds


def _take(rows, k: int):
    for _ in range(k):
        try:
            yield next(rows)
        except StopIteration:
            return


def _sqlite(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def _progress(done: int, n: int, t: float) -> None:
    if done % 500_000 == 0 or done == n:
        print(f"  {done:,}/{n:,} cases in {time.perf_counter() - t:.0f} s", flush=True)


def _ledger(first_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, "
            "note, data, at) SELECT id, NULL, 'report', '', 'reported', '', %s, created_at "
            "FROM cases_case WHERE id > %s",
            ['{"source": "patrol", "located": true}', first_id],
        )


def _dispatches(first_id: int, units: list[int]) -> None:
    """A "dispatch" row to the department that holds each case, and for one in eight of them
    an earlier one to another department (the first of `units`, or the second for its own)."""
    from django.db import connection

    def data(unit_sql: str) -> str:
        text = f"'{{\"to_unit_id\": ' || {unit_sql} || '}}'"
        return f"CAST({text} AS jsonb)" if connection.vendor == "postgresql" else text

    other = (
        f"CASE WHEN handler_unit_id = {int(units[0])} THEN {int(units[1])} ELSE {int(units[0])} END"
    )
    insert = (
        "INSERT INTO cases_caseevent (case_id, actor_id, action, from_status, to_status, "
        "note, data, at) SELECT id, NULL, 'dispatch', 'accepted', 'dispatched', '', {data}, "
        "created_at FROM cases_case WHERE id > %s AND handler_unit_id IS NOT NULL{extra}"
    )
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(insert.format(data=data(other), extra=" AND id %% 8 = 0"), [first_id])
        earlier = cur.rowcount
        cur.execute(insert.format(data=data("handler_unit_id"), extra=""), [first_id])
        held = cur.rowcount
    print(
        f"  {held:,} dispatches to the holding department, {earlier:,} earlier ones to another, "
        f"in {time.perf_counter() - t:.0f} s"
    )


def _drop_indexes() -> list[str]:
    """Secondary indexes of cases_case (not primary key or unique constraints), for a fast load."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'cases_case'::regclass)"
        )
        found = cur.fetchall()
        for name, _definition in found:
            cur.execute(f'DROP INDEX "{name}"')
    print(f"  dropped {len(found)} secondary indexes for the load")
    return [d for _n, d in found]


def _recreate_indexes(definitions: list[str]) -> None:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for d in definitions:
            cur.execute(d)
    if definitions:
        print(f"  rebuilt {len(definitions)} indexes in {time.perf_counter() - t:.0f} s")


# --------------------------------------------------------------------------- the benchmarks' database


def add_database_arguments(ap, *, default_cases: int = 1_000_000) -> None:
    ap.add_argument("--cases", type=int, default=default_cases)
    ap.add_argument("--database", help="PostgreSQL database name (default: one per benchmark)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument(
        "--reuse", action="store_true", help="use a database kept by --keep (no load; migrated)"
    )


def history_database(a, db: str, tag: str):
    """The database of an analysis or report benchmark, with Django set up on it: created and
    loaded with `a.cases` cases of history over the benchmark county and its departments, or,
    with ``--reuse``, the one an earlier ``--keep`` run left (migrated to the current schema).
    Returns the county (cases_common.County)."""
    if a.reuse:
        cc.use_existing_database(db, tag, name=a.database, migrate=True)
        return cc.existing_county()
    cc.create_database(db, tag, name=a.database)
    county = cc.build_county()
    units = cc.add_departments(county)
    seconds = load_cases(county, a.cases, shape="history", units=units)
    print(f"load: {a.cases:,} cases in {seconds / 60:.1f} min")
    return county
