"""OpenAPI: the error shape on every operation, and the security schemes."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="A translated sentence for people.")
    details = serializers.DictField(
        help_text="Field name -> list of messages for validation errors; other facts otherwise."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# Status codes every operation may answer with, and those only writes add.
_COMMON = {
    "400": "Invalid parameters or body.",
    "401": "Not authenticated, or the credential is invalid, expired or revoked.",
    "403": "Authenticated, but not allowed.",
    "404": "No such record, or outside the caller's areas (the same answer).",
    "429": "Too many requests; see `details.retry_after`.",
}
_WRITES = {
    "409": "Conflict: stale `version`, or the action is not allowed in the current state.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
    "422": "The Idempotency-Key was used for a different request.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = dict(_COMMON)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.update(_WRITES)
        for code, description in codes.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
                responses[code]["description"] = description
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "civicgrid.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Bearer"
        )
        scheme["description"] = "A personal token `cgt_…` from POST /api/v1/auth/tokens/."
        return scheme


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "civicgrid.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "civicgrid.partners.drf.ApiKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "A partner API key with scope `api:read` (reads) or `api:write` "
            "(writes); `Authorization: Api-Key <key>` works too.",
        }


def only_api_v1(endpoints, **kwargs):
    """The schema describes /api/v1/ only (Open311 and other interfaces document themselves)."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
