from __future__ import annotations

from rest_framework import serializers

from civicgrid.api.models import ApiToken
from civicgrid.api.tokens import DEFAULT_DAYS, MAX_DAYS

from .orgs import AssignmentSerializer


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        allow_blank=True,
        help_text="The 6-digit TOTP code, for users who must pass two factors.",
    )
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, required=False, default=DEFAULT_DAYS
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Shown once; store it safely. Null when a retry with the same "
        "Idempotency-Key replays the answer (the secret is never stored).",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    assignments = AssignmentSerializer(many=True)
    capabilities = serializers.ListField(child=serializers.CharField())
