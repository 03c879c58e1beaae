"""The registry: areas, grids, units, departments, party organisations, buildings,
households, residents and party members. All scoped like the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.cases.models import Department
from civicgrid.core.audit import audit_record
from civicgrid.core.models import AuditLog
from civicgrid.geo import selectors as geo_selectors
from civicgrid.orgs import selectors as org_selectors
from civicgrid.people import selectors as people_selectors
from civicgrid.people import services as people_services
from civicgrid.people.models import Building

from .. import filters
from ..serializers import geo as geo_s
from ..serializers import orgs as org_s
from ..serializers import people as people_s
from .base import ReadOnlyViewSet


class AreaViewSet(ReadOnlyViewSet):
    """Administrative areas (county > street > community) in the caller's scope."""

    serializer_class = geo_s.AreaSerializer
    filterset_class = filters.AreaFilter

    def get_queryset(self):
        return geo_selectors.area_list(user=self.request.user)

    def get_serializer_class(self):
        return geo_s.AreaDetailSerializer if self.action == "retrieve" else geo_s.AreaSerializer

    def get_object(self):
        return geo_selectors.area_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses=geo_s.AreaTreeNodeSerializer(many=True), filters=False)
    @action(detail=False, pagination_class=None, filterset_class=None)
    def tree(self, request):
        """The area tree as on the area page: grids under their community, counts rolled up."""
        by_community, by_grid = people_selectors.people_counts(user=request.user)
        roots = geo_selectors.area_tree(
            user=request.user, community_counts=by_community, grid_counts=by_grid
        )
        return Response(geo_s.tree_as_data(roots))


class GridViewSet(ReadOnlyViewSet):
    """Grids with their GeoJSON boundary."""

    serializer_class = geo_s.GridSerializer
    filterset_class = filters.GridFilter

    def get_queryset(self):
        return geo_selectors.grid_list(user=self.request.user)

    def get_object(self):
        return geo_selectors.grid_get(user=self.request.user, pk=self.kwargs["pk"])


class UnitViewSet(ReadOnlyViewSet):
    """Units in the communities (schools, firms, property companies …) and departments."""

    serializer_class = org_s.UnitSerializer
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        return org_selectors.unit_list(user=self.request.user)

    def get_object(self):
        return org_selectors.unit_get(user=self.request.user, pk=self.kwargs["pk"])


class DepartmentViewSet(ReadOnlyViewSet):
    """District departments, the targets of dispatch and whistle. The case page lists every
    department to those who may dispatch or whistle; so does this list."""

    serializer_class = org_s.DepartmentSerializer
    lookup_field = "unit"

    def get_queryset(self):
        return Department.objects.select_related("unit").order_by("unit__name", "pk")


class PartyOrganizationViewSet(ReadOnlyViewSet):
    """Party organisations in tree order (by path), each with its depth."""

    serializer_class = org_s.PartyOrganizationSerializer
    filterset_class = filters.PartyOrganizationFilter

    def get_queryset(self):
        return org_selectors.party_org_list(user=self.request.user)

    def get_object(self):
        return org_selectors.party_org_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        rows = org_selectors.party_org_tree(user=self.request.user)
        context["depths"] = {r.org.pk: r.depth for r in rows}
        return context


class BuildingViewSet(ReadOnlyViewSet):
    serializer_class = people_s.BuildingSerializer
    filterset_class = filters.BuildingFilter

    def get_queryset(self):
        return Building.objects.restrict(self.request.user).order_by("grid_id", "name", "id")


class HouseholdViewSet(ReadOnlyViewSet):
    serializer_class = people_s.HouseholdSerializer
    filterset_class = filters.HouseholdFilter

    def get_queryset(self):
        return people_selectors.household_list(user=self.request.user)


class _RevealMixin:
    @extend_schema(
        request=people_s.RevealSerializer,
        responses=people_s.RevealedSerializer,
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def reveal(self, request, pk=None):
        """The full ID or phone number, for holders of ``reveal_pii`` over the row; every
        call writes an audit row, as on the page."""
        obj = self.get_object()
        serializer = people_s.RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = people_services.pii_reveal(
            actor=request.user, obj=obj, field=field, request=request._request
        )
        return Response({"field": field, "value": value})


@extend_schema_view(
    list=extend_schema(
        description="Search as on the resident page: `q` is a name prefix, or an exact mobile "
        "or ID number (such look-ups are audited). ID and phone numbers are masked."
    )
)
class ResidentViewSet(_RevealMixin, ReadOnlyViewSet):
    serializer_class = people_s.ResidentSerializer
    filterset_class = filters.ResidentFilter

    def get_queryset(self):
        return people_selectors.resident_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return people_s.ResidentDetailSerializer
        return people_s.ResidentSerializer

    def get_object(self):
        return people_selectors.resident_get_or_404(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        kind = people_selectors.search_kind(request.query_params.get("q", "")[:50])
        if kind in ("phone", "id_number") and response.data.get("page") == 1:
            # As on the page: the value searched for is not stored, only that a look-up happened.
            audit_record(
                actor=request.user,
                action=AuditLog.Action.SEARCH,
                field=kind,
                detail={"results": response.data["count"], "via": "api"},
                request=request._request,
            )
        return response


class PartyMemberViewSet(_RevealMixin, ReadOnlyViewSet):
    serializer_class = people_s.PartyMemberSerializer
    filterset_class = filters.PartyMemberFilter

    def get_queryset(self):
        return people_selectors.party_member_list(user=self.request.user)

    def get_object(self):
        return people_selectors.party_member_get(user=self.request.user, pk=self.kwargs["pk"])
