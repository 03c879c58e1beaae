from django.db import migrations

SQLITE = [
    "CREATE TRIGGER party_points_no_update BEFORE UPDATE ON party_pointsentry "
    "BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS party_points_no_update;"]
# PostgreSQL refuses UPDATE and DELETE (TRUNCATE, used only to empty test databases, passes).
POSTGRES = [
    "CREATE OR REPLACE FUNCTION party_points_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the points ledger is append-only'; END $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER party_points_no_change BEFORE UPDATE OR DELETE ON party_pointsentry "
    "FOR EACH ROW EXECUTE FUNCTION party_points_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS party_points_no_change ON party_pointsentry;",
    "DROP FUNCTION IF EXISTS party_points_append_only();",
]


def triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


def rules(apps, schema_editor):
    from civicgrid.party.choices import DEFAULT_RULES

    PointsRule = apps.get_model("party", "PointsRule")
    for event, (points, daily, monthly) in DEFAULT_RULES.items():
        PointsRule.objects.get_or_create(
            event=event, defaults={"points": points, "daily_cap": daily, "monthly_cap": monthly}
        )


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]

    operations = [
        migrations.RunPython(triggers, drop_triggers),
        migrations.RunPython(rules, migrations.RunPython.noop),
    ]
