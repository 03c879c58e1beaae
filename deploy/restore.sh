#!/usr/bin/env bash
# Restore a CivicGrid backup made by deploy/backup.sh into the database DATABASE_URL names (it
# must exist and be empty, or be created with --create-db) and the data directory
# CIVICGRID_DATA_DIR (must be empty). Stop the web, worker and sweep units first.
#
#   DATABASE_URL=postgres://.../civicgrid CIVICGRID_DATA_DIR=/srv/civicgrid/data \
#     deploy/restore.sh /var/backups/civicgrid/20261201T023000Z [--create-db]
set -euo pipefail

src="${1:?usage: restore.sh BACKUP_DIRECTORY [--create-db]}"
: "${DATABASE_URL:?DATABASE_URL is required (postgres://...)}"
: "${CIVICGRID_DATA_DIR:?CIVICGRID_DATA_DIR is required}"

(cd "$src" && sha256sum --check --quiet SHA256SUMS) || { echo "checksum mismatch in $src" >&2; exit 1; }

if [ "${2:-}" = "--create-db" ]; then
  dbname="${DATABASE_URL##*/}"; dbname="${dbname%%\?*}"
  createdb --maintenance-db="${DATABASE_URL%/*}/postgres" "$dbname"
fi

tables="$(psql "$DATABASE_URL" -Atc "select count(*) from pg_tables where schemaname='public'")"
if [ "$tables" != "0" ]; then
  echo "the target database already has $tables tables; restore into an empty database" >&2
  exit 1
fi
pg_restore --no-owner --exit-on-error --jobs="${RESTORE_JOBS:-2}" --dbname="$DATABASE_URL" "$src/db.dump"
psql "$DATABASE_URL" -qc "ANALYZE"

mkdir -p "$CIVICGRID_DATA_DIR"
if [ -n "$(ls -A "$CIVICGRID_DATA_DIR" 2>/dev/null)" ]; then
  echo "$CIVICGRID_DATA_DIR is not empty; restore the files into an empty directory" >&2
  exit 1
fi
tar --extract --gzip --file="$src/data.tar.gz" --directory="$CIVICGRID_DATA_DIR"
echo "restored $src into ${DATABASE_URL##*@} and $CIVICGRID_DATA_DIR"
echo "next: manage.py migrate (if the code is newer), manage.py collectstatic --noinput, start the units"
