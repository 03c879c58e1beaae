"""Development: `make run`. Never use these keys for real data."""

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Fixed development keys so that the demo database stays readable between runs.
CIVICGRID_PII_KEYS = CIVICGRID_PII_KEYS or "1:ZGV2LWtleS1kZXYta2V5LWRldi1rZXktZGV2LWtleTE="  # noqa: F405
CIVICGRID_PII_INDEX_KEY = CIVICGRID_PII_INDEX_KEY or "ZGV2LWluZGV4LWtleS1kZXYtaW5kZXgta2V5LTEyMzQ="  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Webhook receivers on this machine may be plain http:// in development (docs/webhooks.md).
CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
