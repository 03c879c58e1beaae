#!/usr/bin/env bash
# Deployment checks for a CivicGrid server, run with the production environment loaded:
#   set -a; . /etc/civicgrid/env; set +a; make prod-check
# Checks: required variables set; Django's deployment checklist (check --deploy) with no
# warnings; PII keys decode to 32 bytes and round-trip; the database answers and has no
# unapplied migrations; static files collected; data directory writable. Exit status 1 if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.prod}"
failed=0
ok() { echo "  [ok]   $*"; }
bad() { echo "  [FAIL] $*"; failed=1; }

echo "CivicGrid production checks (settings: $DJANGO_SETTINGS_MODULE)"
for v in DJANGO_SECRET_KEY ALLOWED_HOSTS CIVICGRID_PII_KEYS CIVICGRID_PII_INDEX_KEY DATABASE_URL CIVICGRID_DATA_DIR; do
  if [ -n "${!v:-}" ]; then ok "$v is set"; else bad "$v is not set (see deploy/env.example)"; fi
done
[ -n "${REDIS_URL:-}" ] && ok "REDIS_URL is set" || echo "  [warn] REDIS_URL is not set: each process keeps its own cache (needed with more than one app server)"
[ "$failed" = 0 ] || { echo "prod-check FAILED: set the variables above first"; exit 1; }

if out="$($PY manage.py check --deploy --fail-level WARNING 2>&1)"; then ok "manage.py check --deploy: no issues"
else bad "manage.py check --deploy:"; echo "$out" | sed 's/^/         /'; fi

if out="$($PY manage.py shell -v0 -c '
import base64
from django.conf import settings
from civicgrid.core import crypto
current, keys = crypto.parse_keys(settings.CIVICGRID_PII_KEYS)
assert all(len(k) == 32 for k in keys.values()), "every PII key must be 32 bytes"
assert len(base64.b64decode(settings.CIVICGRID_PII_INDEX_KEY, validate=True)) >= 32, "index key under 32 bytes"
assert crypto.decrypt(crypto.encrypt("13800000000")) == "13800000000"
assert len(settings.SECRET_KEY) >= 50, "DJANGO_SECRET_KEY under 50 characters"
print(f"current key {current!r}, {len(keys)} key(s), cipher {settings.CIVICGRID_PII_CIPHER}")
' 2>&1)"; then ok "PII keys valid and round-trip: $out"
else bad "keys: $(echo "$out" | tail -1)"; fi

if out="$($PY manage.py migrate --check --noinput 2>&1)"; then ok "database reachable, all migrations applied"
else bad "unapplied migrations or no database (run manage.py migrate) $(echo "$out" | tail -2 | tr '\n' ' ')"; fi

if out="$($PY manage.py shell -v0 -c '
import os
from django.conf import settings
manifest = settings.STATIC_ROOT / "staticfiles.json"
assert manifest.exists(), f"{manifest} missing: run manage.py collectstatic --noinput"
for d in (settings.MEDIA_ROOT, settings.CIVICGRID_REPORT_DIR, settings.CIVICGRID_IO_REPORT_DIR):
    d.mkdir(parents=True, exist_ok=True)
    assert os.access(d, os.W_OK), f"{d} is not writable"
print(settings.DATA_DIR)
' 2>&1)"; then ok "static files collected, data directory writable ($out)"
else bad "files: $(echo "$out" | tail -1)"; fi

if [ "$failed" = 0 ]; then echo "prod-check PASSED"; else echo "prod-check FAILED"; exit 1; fi
