"""Schema validation and request helpers for the Open311 tests."""

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).parent / "schema"
W3_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def validate(schema_name: str, data) -> None:
    """Validate against a vendored GeoReport v2 schema; date-times are checked apart."""
    registry = Registry().with_resources(
        (p.name, DRAFT7.create_resource(json.loads(p.read_text(encoding="utf-8"))))
        for p in SCHEMA_DIR.glob("*.json")
    )
    schema = json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))
    Draft7Validator(schema, registry=registry, format_checker=FormatChecker()).validate(data)
    for row in data if isinstance(data, list) else [data]:
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if isinstance(row, dict) and row.get(name) is not None:
                assert W3_DATETIME.match(row[name]), (name, row[name])


def xml_root(response) -> ET.Element:
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), body[:80]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(body)


def error_list(response) -> list[dict]:
    """The spec's error body, from either format, with its codes checked."""
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
    else:
        root = xml_root(response)
        assert root.tag == "errors" and all(e.tag == "error" for e in root)
        data = [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root
        ]
    assert isinstance(data, list) and data
    for e in data:
        assert set(e) == {"code", "description"} and e["code"] == response.status_code
        assert e["description"]
    return data
