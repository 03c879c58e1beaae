"""Bulk 12345 hotline import (civicgrid.cases.hotline.import_orders): rows per second.

Target: >= 5,000 rows/s on SQLite and PostgreSQL, 20k-50k rows. The file is generated:
70% of orders carry coordinates inside a grid, 10% coordinates just outside every grid
(unlocated, nearest grid suggested), 10% a grid code, 10% only a community code.
Every imported case is checked in the database: count, one ledger row each, phone encrypted.
A second run of the same file must create nothing (idempotent by order number).

    python bench/cases_import.py [--db pg|sqlite|both] [--rows 20000] [--format csv|xlsx]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import random
import sys
import time

import cases_common as cc

TARGET = 5000.0
HEADER = [
    "工单编号",
    "诉求内容",
    "事项编码",
    "诉求人",
    "联系电话",
    "地址",
    "经度",
    "纬度",
    "网格编码",
    "社区代码",
    "紧急",
]


def make_rows(county, n: int, seed: int = 11) -> list[list[str]]:
    from civicgrid.cases.models import MatterItem

    rng = random.Random(seed)
    codes = list(MatterItem.objects.filter(active=True).values_list("code", flat=True))
    pool = cc.text_pool(2000)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    rows = []
    for i in range(n):
        text, address, _terms = pool[i % len(pool)]
        grid = county.grids[rng.randrange(len(county.grids))]
        lon = lat = grid_code = community_code = ""
        kind = rng.random()
        if kind < 0.7:
            lon, lat = (str(v) for v in cc.grid_point(grid, rng))
        elif kind < 0.8:  # west of every grid: unlocated, nearest grid suggested
            lon, lat = str(round(cc.LON0 - rng.uniform(0.001, 0.01), 6)), str(grid.min_y + 0.002)
        elif kind < 0.9:
            grid_code = grid.code
        else:
            community_code = county.communities[rng.randrange(len(county.communities))].code
        rows.append(
            [
                f"12345-{seed}-{i:07d}",
                text,
                rng.choice(codes),
                rng.choice(surnames) + rng.choice(["女士", "先生"]),
                f"13{rng.randint(0, 999999999):09d}",
                address,
                lon,
                lat,
                grid_code,
                community_code,
                "是" if rng.random() < 0.02 else "",
            ]
        )
    return rows


def encode(rows: list[list[str]], fmt: str) -> tuple[bytes, str]:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(HEADER)
        w.writerows(rows)
        return buf.getvalue().encode("utf-8-sig"), "orders.csv"
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "orders.xlsx"


def verify(rows: list[list[str]]) -> list[str]:
    from django.db import connection
    from django.utils import timezone

    from civicgrid.cases.models import Case, CaseEvent

    problems = []
    ids = [r[0] for r in rows]
    cases = Case.objects.filter(source="hotline", external_id__in=ids)
    n = cases.count()
    if n != len(rows):
        problems.append(f"{n} cases in the database for {len(rows)} rows")
    events = CaseEvent.objects.filter(case__in=cases, action="report").count()
    if events != len(rows):
        problems.append(f"{events} report events for {len(rows)} cases")
    for pk, number, created in cases.values_list("id", "number", "created_at")[:500]:
        if number != f"{timezone.localtime(created):%Y%m%d}{pk:07d}":
            problems.append(f"case {pk} numbered {number!r}")
            break
    if Case.objects.filter(source="hotline", located=True, grid__isnull=True).exists():
        problems.append("located cases without a grid")
    with connection.cursor() as cur:
        cur.execute("SELECT reporter_phone FROM cases_case WHERE source = 'hotline' LIMIT 200")
        raw = [r[0] for r in cur.fetchall()]
    if any(p.isdigit() for p in raw) or not raw:
        problems.append("reporter phone stored in clear text")
    sample = cases.order_by("id").first()
    if sample and not sample.reporter_phone.startswith("13"):
        problems.append("reporter phone does not decrypt")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--profile", action="store_true", help="print the top functions of the import")
    a = ap.parse_args()
    if not 100 <= a.rows <= 100_000:
        raise SystemExit("--rows must be between 100 and 100,000")
    if a.db == "both":
        extra = ["--rows", str(a.rows), "--format", a.format] + (["--keep"] if a.keep else [])
        extra += ["--profile"] if a.profile else []
        return cc.run_per_database(__file__, ["sqlite", "pg"], extra)
    cc.print_machine()
    cc.quiet_logs()
    cc.create_database(a.db, "import")
    try:
        from civicgrid.cases.hotline import import_orders

        county = cc.build_county()
        rows = make_rows(county, a.rows)
        content, filename = encode(rows, a.format)
        print(f"[{a.db}] file: {a.rows:,} rows, {a.format}, {len(content) / 1e6:.1f} MB")
        profiler = cProfile.Profile() if a.profile else None
        t, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = import_orders(actor=county.importer, content=content, filename=filename)
        first, cpu = time.perf_counter() - t, time.process_time() - cpu
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        if result.errors:
            print("errors:", [str(e) for e in result.errors[:5]])
        problems = verify(rows)
        t = time.perf_counter()
        again = import_orders(actor=county.importer, content=content, filename=filename)
        second = time.perf_counter() - t
        if again.created or again.skipped != a.rows:
            problems.append(f"second run created {again.created}, skipped {again.skipped}")
        rate = result.created / first
        print(
            f"[{a.db}] import {result.created:,} rows in {first:.1f} s = {rate:,.0f} rows/s "
            f"(target >= {TARGET:,.0f}: {cc.verdict(rate >= TARGET)}); "
            f"CPU of this process {cpu:.1f} s; load average {cc.loadavg()}"
        )
        print(
            f"[{a.db}] re-import of the same file: {again.skipped:,} skipped, "
            f"{again.created} created in {second:.1f} s"
        )
        print(f"[{a.db}] checks: " + ("all passed" if not problems else "; ".join(problems)))
        return 1 if problems else 0
    finally:
        if not a.keep:
            cc.drop_database()


if __name__ == "__main__":
    sys.exit(main())
