"""The checked-in OpenAPI schema (docs/api/openapi.yaml) is what the code generates."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"


def generate() -> str:
    """As `make api-schema` does it: in a fresh process (a schema made inside the test run
    could carry labels translated and cached by earlier requests in another language)."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--lang",
            "zh-hans",
            "--validate",
            "--fail-on-warn",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_checked_in_schema_is_current():
    current = generate()
    stored = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if current != stored:
        diff = "".join(
            list(
                difflib.unified_diff(
                    stored.splitlines(keepends=True),
                    current.splitlines(keepends=True),
                    "docs/api/openapi.yaml (checked in)",
                    "generated",
                )
            )[:60]
        )
        pytest.fail(
            "docs/api/openapi.yaml is out of date with the API code. Run `make api-schema` "
            "and commit the result.\n" + diff
        )


def test_schema_documents_the_error_shape_and_security():
    schema = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth", "partnerKey"}
    create = schema["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "400", "401", "403", "409", "413", "422", "429"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert create["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
