"""``Idempotency-Key`` for create endpoints: a retried request gets the first response (same
status, same body) and creates nothing; the same key with a different request is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.response import Response

from .errors import IdempotencyKeyReused
from .models import IdempotencyRecord
from .permissions import partner_key

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETAIN = dt.timedelta(hours=24)
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,64}$")

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any string of 1–64 visible ASCII characters, unique per intended create. A retry "
        "with the same key returns the first response; the same key on a different request "
        "is refused (422). Kept for 24 hours."
    ),
)


def caller(request) -> str:
    key = partner_key(request)
    return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def domain_key(owner: str, key: str) -> str:
    """A key for the domain service's own idempotency (e.g. ``case_create``), at most 64 chars."""
    return "api:" + hashlib.sha256(f"{owner}\n{key}".encode()).hexdigest()[:56]


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    return Response(record.body, status=record.status, headers={REPLAYED_HEADER: "true"})


def run(
    request,
    create: Callable[[str | None], Response],
    *,
    redact: Callable[[dict], dict] | None = None,
) -> Response:
    """Call ``create(domain_key or None)`` unless this request was already answered.
    ``redact`` strips what must never be stored (a token's secret) from the kept answer."""
    key = request.headers.get(HEADER)
    if key is None:
        return create(None)
    key = key.strip()
    if not _KEY_RE.match(key):
        raise exceptions.ValidationError({HEADER: [_("须为 1–64 个可见 ASCII 字符。")]})
    owner, fingerprint = caller(request), _fingerprint(request)
    record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if record is not None:
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        return _replay(record)
    response = create(domain_key(owner, key))
    if not 200 <= response.status_code < 300:
        return response  # errors are not kept: the caller may correct the request and retry
    body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    if redact is not None:
        body = redact(body)
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                owner=owner,
                key=key,
                fingerprint=fingerprint,
                status=response.status_code,
                body=body,
            )
    except IntegrityError:
        # A concurrent retry stored its answer first; the domain key made both the same row.
        record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if record is not None:
            return _replay(record)
    IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETAIN).delete()
    return response
