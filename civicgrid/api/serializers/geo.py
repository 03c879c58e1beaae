from __future__ import annotations

from rest_framework import serializers

from civicgrid.geo.models import Area, Grid


class GeometryField(serializers.JSONField):
    """A GeoJSON geometry object (RFC 7946, WGS-84 longitude/latitude), or null."""


class AreaSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "level_label", "parent", "path"]
        read_only_fields = fields


class AreaDetailSerializer(AreaSerializer):
    geometry = GeometryField(read_only=True, allow_null=True)

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "geometry"]
        read_only_fields = fields


class CountsSerializer(serializers.Serializer):
    grids = serializers.IntegerField(required=False)
    households = serializers.IntegerField()
    residents = serializers.IntegerField()
    party_members = serializers.IntegerField()


class TreeGridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    counts = CountsSerializer()


class AreaTreeNodeSerializer(serializers.Serializer):
    """One node of the area tree; ``id`` is null for a community heading shown to grid-only
    users (who see their grids but not the community itself)."""

    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    counts = CountsSerializer()
    grids = TreeGridSerializer(many=True)


AreaTreeNodeSerializer._declared_fields["children"] = AreaTreeNodeSerializer(many=True)


def tree_as_data(nodes) -> list[dict]:
    return [
        {
            "id": n.area.pk if n.area else None,
            "name": n.name,
            "level": n.area.level if n.area else None,
            "counts": n.counts,
            "grids": [
                {"id": g.pk, "code": g.code, "name": g.name, "kind": g.kind, "counts": g.counts}
                for g in n.grids
            ],
            "children": tree_as_data(n.children),
        }
        for n in nodes
    ]


class GridSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    geometry = GeometryField(read_only=True, allow_null=True)

    class Meta:
        model = Grid
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "community",
            "community_name",
            "parent",
            "geometry",
            "updated_at",
        ]
        read_only_fields = fields
