from __future__ import annotations

from rest_framework import serializers

from civicgrid.cases.models import Department
from civicgrid.orgs.models import PartyOrganization, RoleAssignment, Unit


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "credit_code",
            "area",
            "area_name",
            "grid",
            "address",
            "lon",
            "lat",
            "contact_name",
            "contact_phone",
            "party_organization",
        ]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    """A district department: dispatch targets and whistle recipients (``unit`` is the id
    to send as ``to_unit`` / ``units``)."""

    name = serializers.CharField(source="unit.name", read_only=True)
    department_type_label = serializers.CharField(
        source="get_department_type_display", read_only=True
    )

    class Meta:
        model = Department
        fields = ["unit", "name", "department_type", "department_type_label", "county"]
        read_only_fields = fields


class PartyOrganizationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    depth = serializers.SerializerMethodField(
        help_text="Depth below the nearest organisation the caller can see (0 = a root)."
    )

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "parent",
            "area",
            "grid",
            "unit",
            "secretary_name",
            "depth",
        ]
        read_only_fields = fields

    def get_depth(self, obj) -> int:
        return self.context.get("depths", {}).get(obj.pk, 0)


class AssignmentSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "area", "grid", "unit"]
        read_only_fields = fields
