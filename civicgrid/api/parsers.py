"""JSON bodies with a size limit: Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not cover the
stream DRF parses, so the API enforces its own (``CIVICGRID_API_MAX_BODY_BYTES``)."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge

DEFAULT_MAX_BODY_BYTES = 256 * 1024


def max_body_bytes() -> int:
    return int(getattr(settings, "CIVICGRID_API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and str(length).isdigit() and int(length) > limit:
            raise PayloadTooLarge()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise PayloadTooLarge()
        return super().parse(io.BytesIO(data), media_type, parser_context)
