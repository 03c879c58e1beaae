"""A covering partial index for the work-queue counts on PostgreSQL.

`selectors.queue_counts` counts the open cases of a user's areas with one FILTER clause per
queue. Open cases are scattered over the heap of a table that keeps years of history, so
even with the partial index every counted row cost a heap page read (~1 s for a street at
10 million cases). With the columns of the FILTER clauses in the index, the count is an
index-only scan. SQLite has no INCLUDE and gets nothing here.
"""

from django.db import migrations

OPEN = "('accepted', 'dispatched', 'escalated', 'in_progress', 'reopened', 'reported', 'returned')"
CREATE = (
    "CREATE INDEX IF NOT EXISTS case_open_counts ON cases_case (area_id) "
    "INCLUDE (id, status, sla_state, supervised, located, grid_id, handler_area_id, handler_unit_id) "
    f"WHERE status IN {OPEN}"
)
DROP = "DROP INDEX IF EXISTS case_open_counts"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_resolved_index")]
    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
