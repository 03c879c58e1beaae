"""The sweep and the queues find open cases through the partial indexes on both databases.

SQLite uses a partial index only when the query repeats the index's condition with literal
values; a bound-parameter `status IN (?, …)` silently falls back to a scan of every case.
These tests read the query plan, so they fail if the condition drifts from the index's.
"""

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.cases import tasks
from civicgrid.cases.choices import SlaState
from civicgrid.cases.models import Case, status_in_sql

pytestmark = pytest.mark.django_db


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("SET LOCAL enable_seqscan = off")  # an empty table: ask which index serves
        cur.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cur.fetchall())


def _uses(plan: str, index: str | None) -> bool:
    if index is None:  # any index, no scan of the whole table
        return "SCAN cases_case" not in plan and "Seq Scan" not in plan
    if connection.vendor == "sqlite":
        return index in plan
    # PostgreSQL picks among the partial indexes over open cases by its statistics (and on an
    # empty table, by chance); any of them keeps the sweep off the finished history.
    return any(name in plan for name in (index, "case_open_"))


@pytest.mark.parametrize(
    "candidates, index",
    [
        (tasks.overdue_candidates, "case_open_sla_due"),
        (tasks.warning_candidates, "case_open_sla_warn"),
        (tasks.unrated_candidates, None),
    ],
)
def test_sweep_candidates_use_a_partial_index(candidates, index):
    plan = _plan(candidates(timezone.now()).values_list("id"))
    assert _uses(plan, index), plan


def test_a_bound_parameter_list_is_what_sqlite_would_not_use():
    """The reason for the literal form: with parameters SQLite cannot use the partial index."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL proves the index condition from bound parameters too")
    from civicgrid.cases.choices import OPEN_STATUSES

    qs = Case.objects.filter(
        status__in=sorted(OPEN_STATUSES), sla_state=SlaState.ON_TIME, warn_at__lte=timezone.now()
    ).values_list("id")
    assert "case_open_sla_warn" not in _plan(qs)


def test_status_in_sql_refuses_anything_but_plain_names():
    with pytest.raises(AssertionError):
        status_in_sql(["resolved'); DROP TABLE cases_case; --"])
