"""Full-text index over Case.search_text: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "search_text, content='cases_case', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_au AFTER UPDATE OF search_text ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO cases_case_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TABLE IF EXISTS cases_case_fts",
]
POSTGRES = ["CREATE INDEX IF NOT EXISTS cases_case_search_gin ON cases_case USING gin (to_tsvector('simple', search_text))"]
POSTGRES_DROP = ["DROP INDEX IF EXISTS cases_case_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_search_text")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
