"""People: ID and phone numbers are always masked here. The full value is only returned by the
reveal endpoints, through the audited ``pii_reveal`` service."""

from __future__ import annotations

from rest_framework import serializers

from civicgrid.people.models import Building, Household, PartyMember, Resident
from civicgrid.people.services import PII_FIELDS


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "name", "area", "grid", "address", "lon", "lat"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    building_name = serializers.CharField(
        source="building.name", read_only=True, default=None, allow_null=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "area",
            "grid",
            "building",
            "building_name",
            "address",
            "kind",
            "kind_label",
            "member_count",
        ]
        read_only_fields = fields


class ResidentSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    attention_level_label = serializers.CharField(
        source="get_attention_level_display", read_only=True
    )
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    special_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "area",
            "grid",
            "grid_name",
            "household",
            "attention_level",
            "attention_level_label",
            "special_groups",
            "id_number_masked",
            "phone_masked",
        ]
        read_only_fields = fields


class ResidentDetailSerializer(ResidentSerializer):
    household_number = serializers.CharField(
        source="household.number", read_only=True, default=None, allow_null=True
    )
    building_name = serializers.CharField(
        source="household.building.name", read_only=True, default=None, allow_null=True
    )

    class Meta(ResidentSerializer.Meta):
        fields = [
            *ResidentSerializer.Meta.fields,
            "household_number",
            "building_name",
            "address",
            "relation_to_head",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartyMemberSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    work_unit_name = serializers.CharField(
        source="work_unit.name", read_only=True, default=None, allow_null=True
    )
    roles = serializers.SerializerMethodField()
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "name",
            "gender",
            "organization",
            "organization_name",
            "work_unit",
            "work_unit_name",
            "area",
            "grid",
            "joined_on",
            "roles",
            "id_number_masked",
            "phone_masked",
        ]
        read_only_fields = fields

    def get_roles(self, obj) -> list[str]:
        from civicgrid.people.selectors import ROLE_FLAGS

        return [str(role) for role, flag in ROLE_FLAGS.items() if getattr(obj, flag)]


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(PII_FIELDS))


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
