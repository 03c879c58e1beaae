"""An index on cases_case for the duplicate look-up (civicgrid.intake.duplicates): open cases
by grid, item and creation time, with the point, so that rows outside the search box are
left out before the table is read. Partial, like the cases app's open-case indexes, so it holds
only the few per cent of cases that are open.

It lives here, not in the cases app, so that the cases app knows nothing of duplicates; the
condition is written term for term as `cases.models.open_q()` writes it, which SQLite needs
to use a partial index. Django's model state does not know this index: a later cases
migration that rebuilds cases_case on SQLite would drop it (see docs/duplicates.md)."""

from django.db import migrations

OPEN = ("accepted", "dispatched", "escalated", "in_progress", "reopened", "reported", "returned")
CONDITION = '"status" IN (' + ", ".join(f"'{s}'" for s in OPEN) + ")"
CREATE = (
    "CREATE INDEX IF NOT EXISTS case_open_grid_item "
    f"ON cases_case (grid_id, item_id, created_at, lon, lat) WHERE {CONDITION}"
)
DROP = "DROP INDEX IF EXISTS case_open_grid_item"


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("cases", "0006_resolved_index"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
