#!/usr/bin/env bash
# Back up CivicGrid: the database (pg_dump custom format) and the data directory (uploads,
# reports, import reports), into BACKUP_DIR/<UTC timestamp>/, then delete backups older than
# BACKUP_KEEP_DAYS. The PII keys are NOT in the backup: keep them in the secret store.
#
#   deploy/backup.sh                      # reads DATABASE_URL, CIVICGRID_DATA_DIR, BACKUP_DIR
#   BACKUP_DIR=/mnt/nas/civicgrid deploy/backup.sh
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is required (postgres://...)}"
: "${CIVICGRID_DATA_DIR:?CIVICGRID_DATA_DIR is required}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/civicgrid}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/$stamp"
partial="$target.partial"
mkdir -p "$partial"
chmod 700 "$BACKUP_DIR" "$partial"

# One consistent snapshot of the database (pg_dump runs in a single repeatable-read transaction).
pg_dump --format=custom --compress=6 --no-owner --file="$partial/db.dump" "$DATABASE_URL"

# The data directory; static/ is rebuilt by collectstatic, so it is left out.
tar --create --gzip --file="$partial/data.tar.gz" --directory="$CIVICGRID_DATA_DIR" \
  --exclude=./static --exclude='./*.sqlite3*' .

(cd "$partial" && sha256sum db.dump data.tar.gz >SHA256SUMS)
mv "$partial" "$target"
echo "backup $target: db $(du -h "$target/db.dump" | cut -f1), data $(du -h "$target/data.tar.gz" | cut -f1)"

# Retention: whole backup directories older than BACKUP_KEEP_DAYS (never the one just made).
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*' -mtime +"$BACKUP_KEEP_DAYS" \
  ! -path "$target" -print -exec rm -rf {} +
