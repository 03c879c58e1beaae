"""GeoReport v2 output: one Python structure, rendered as XML or as JSON (the Spark
convention: a list of elements becomes an array, an element's children an object)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")

# The element name of each item inside a list element.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def w3_datetime(value) -> str | None:
    """W3C / ISO 8601 with the local offset, e.g. 2024-05-01T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    ET.indent(element)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(_plain(data), ensure_ascii=False).encode("utf-8")
        return HttpResponse(body, content_type=JSON_TYPE, status=status)
    return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)


def errors(fmt: str, status: int, *descriptions) -> HttpResponse:
    """The spec's error list; the code in the body is the HTTP status."""
    data = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt if fmt in FORMATS else "xml", "errors", data, status=status)
