"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

Renders the domain's ``ApplicationError`` family and DRF's own exceptions (validation,
authentication, permissions, throttling, 404, 405, parse errors, oversize bodies) alike, with
messages translated to the request's language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from civicgrid.core.errors import ApplicationError, NotFound


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("请求内容过大。")
    default_code = "payload_too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("该 Idempotency-Key 已用于另一个不同的请求。")
    default_code = "idempotency_key_reused"


# DRF exception class -> (code, message). The message replaces DRF's English-ish default
# with one sentence in the project's voice; field-level details keep DRF's own wording.
_MESSAGES: list[tuple[type[exceptions.APIException], str, Any]] = [
    (exceptions.ValidationError, "invalid", _("提交的数据有误。")),
    (exceptions.ParseError, "parse_error", _("请求内容不是有效的 JSON。")),
    (exceptions.NotAuthenticated, "not_authenticated", _("请先登录或提供有效的接口令牌。")),
    (exceptions.AuthenticationFailed, "authentication_failed", None),
    (exceptions.PermissionDenied, "forbidden", None),
    (exceptions.NotFound, "not_found", NotFound.default_message),
    (exceptions.MethodNotAllowed, "method_not_allowed", None),
    (exceptions.NotAcceptable, "not_acceptable", _("无法按请求的格式返回内容。")),
    (exceptions.UnsupportedMediaType, "unsupported_media_type", None),
    (exceptions.Throttled, "throttled", None),
]


def error_body(code: str, message: Any, details: Any = None) -> dict:
    if details is None:
        details = {}
    elif not isinstance(details, dict):
        details = {"non_field_errors": details if isinstance(details, list) else [details]}
    return {"error": {"code": code, "message": str(message), "details": details}}


def _plain(detail: Any) -> Any:
    """DRF's ErrorDetail tree as plain strings (lists and dicts kept)."""
    if isinstance(detail, dict):
        return {str(k): _plain(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        return [_plain(v) for v in detail]
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and answers 500
    code, message, details = getattr(exc, "default_code", "error"), None, None
    for cls, known_code, known_message in _MESSAGES:
        if isinstance(exc, cls):
            code, message = known_code, known_message
            break
    if isinstance(exc, exceptions.ValidationError):
        details = _plain(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        message = exc.detail
        details = {"retry_after": int(exc.wait) if exc.wait is not None else None}
    if message is None:
        detail = exc.detail
        message = detail if not isinstance(detail, list | dict) else exc.default_detail
    if isinstance(exc, exceptions.APIException) and code == "error":
        code = exc.default_code
    response.data = error_body(code, message, details)
    return response
