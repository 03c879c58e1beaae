"""Tests: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested apart
CIVICGRID_PII_KEYS = "1:dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE="
CIVICGRID_PII_INDEX_KEY = "dGVzdC1pbmRleC1rZXktdGVzdC1pbmRleC1rZXktMTI="
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not os.environ.get("DATABASE_URL"):
    # A file, not memory: an in-memory database shared between threads locks whole tables and
    # fails at once, so tests of two requests at the same moment could not run on SQLite. The
    # file lives in the temporary directory, one per test process, and is run
    # as in production: WAL, transactions that take the write lock when they begin.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.gettempdir(), "civicgrid-unused.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
            },
            "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"civicgrid-test-{os.getpid()}.sqlite3")},
        }
    }
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True

# Serve static files straight from the finders in tests (no collectstatic run).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
