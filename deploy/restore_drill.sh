#!/usr/bin/env bash
# Restore drill: proves a backup restores. Builds a scratch database with the tiny demo county
# and its cases, backs it up with deploy/backup.sh, restores it with deploy/restore.sh into a
# second database, and compares the exact row count of every table and a digest of decrypted
# personal data (phone and ID numbers, case texts) on both sides. Loopback PostgreSQL only;
# drops both scratch databases at the end.
#
#   deploy/restore_drill.sh        (or: make restore-drill)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG="${DRILL_PG:-postgres://postgres@127.0.0.1:5432}"
SRC_DB=civicgrid_deploy_drill_src
DST_DB=civicgrid_deploy_drill_dst
work="$(mktemp -d)"

cleanup() {
  dropdb --if-exists --maintenance-db="$PG/postgres" "$SRC_DB" >/dev/null 2>&1 || true
  dropdb --if-exists --maintenance-db="$PG/postgres" "$DST_DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup_first() { dropdb --if-exists --maintenance-db="$PG/postgres" "$1" >/dev/null 2>&1 || true; }
cleanup_first "$SRC_DB"; cleanup_first "$DST_DB"

export DJANGO_SETTINGS_MODULE=config.settings.prod
export DJANGO_SECRET_KEY="drill-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')"
export CIVICGRID_PII_KEYS="1:$(head -c 32 /dev/urandom | base64)"
export CIVICGRID_PII_INDEX_KEY="$(head -c 32 /dev/urandom | base64)"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 LOG_LEVEL=WARNING

t0=$(date +%s)
echo "== 1. scratch database $SRC_DB with the tiny demo and its cases"
createdb --maintenance-db="$PG/postgres" "$SRC_DB"
export DATABASE_URL="$PG/$SRC_DB" CIVICGRID_DATA_DIR="$work/data-src"
mkdir -p "$CIVICGRID_DATA_DIR/media/drill"
$PY manage.py migrate --noinput -v0
$PY manage.py demo --scale tiny -v0 >/dev/null  # (prints the demo logins' TOTP keys)
$PY manage.py demo_cases --per-community 25 >/dev/null
head -c 200000 /dev/urandom >"$CIVICGRID_DATA_DIR/media/drill/photo.bin"

fingerprint() { # prints "table rows" for every table, then digests of decrypted values
  psql "$DATABASE_URL" -At -c "select tablename from pg_tables where schemaname='public' order by 1" |
    while read -r t; do echo "$t $(psql "$DATABASE_URL" -Atc "select count(*) from \"$t\"")"; done
  $PY manage.py shell -v0 -c '
import hashlib
from civicgrid.people.models import Resident, PartyMember
from civicgrid.cases.models import Case
def digest(rows):
    h = hashlib.sha256()
    for r in rows:
        h.update(repr(r).encode())
    return h.hexdigest()[:16]
res = list(Resident.objects.order_by("pk").values_list("pk", "phone", "id_number"))
pm = list(PartyMember.objects.order_by("pk").values_list("pk", "phone", "id_number"))
print("decrypted residents", len(res), "non-empty phones", sum(1 for r in res if r[1]), "digest", digest(res))
print("decrypted party members", len(pm), "digest", digest(pm))
print("sample resident", res[0][0], res[0][1][:3] + "****" + res[0][1][-4:])
print("cases", Case.objects.count(), "digest", digest(Case.objects.order_by("pk").values_list("pk", "number", "text", "status")))
'
  (cd "$CIVICGRID_DATA_DIR" && find media -type f -exec sha256sum {} + | sort | sha256sum | cut -c1-16 | sed "s/^/media files digest /")
}
fingerprint >"$work/src.txt"

echo "== 2. backup (deploy/backup.sh)"
BACKUP_DIR="$work/backups" deploy/backup.sh
backup="$(ls -d "$work"/backups/20* | tail -1)"

echo "== 3. restore into $DST_DB (deploy/restore.sh --create-db)"
export DATABASE_URL="$PG/$DST_DB" CIVICGRID_DATA_DIR="$work/data-dst"
deploy/restore.sh "$backup" --create-db
$PY manage.py migrate --check -v0 && echo "restored database: no unapplied migrations"
fingerprint >"$work/dst.txt"

echo "== 4. compare"
extra='^\(decrypted\|sample\|cases\|media files\) '
tables=$(grep -vc "$extra" "$work/src.txt")
rows=$(grep -v "$extra" "$work/src.txt" | awk '{s+=$2} END {print s}')
for t in cases_case cases_caseevent people_resident people_partymember core_auditlog orgs_unit geo_grid; do
  grep "^$t " "$work/src.txt" || true
done
grep "$extra" "$work/src.txt"
if diff -u "$work/src.txt" "$work/dst.txt"; then
  echo "RESTORE DRILL PASSED: $tables tables, $rows rows, decrypted values and media identical ($(( $(date +%s) - t0 )) s)"
else
  echo "RESTORE DRILL FAILED: the restored copy differs (diff above)"; exit 1
fi
