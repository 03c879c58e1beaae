"""The matter catalogue (事项清单): groups and the active items one may report."""

from __future__ import annotations

from civicgrid.cases.models import MatterGroup, MatterItem

from .. import filters
from ..serializers import cases as s
from .base import ReadOnlyViewSet


class MatterGroupViewSet(ReadOnlyViewSet):
    serializer_class = s.MatterGroupSerializer

    def get_queryset(self):
        return MatterGroup.objects.order_by("code", "id")


class MatterItemViewSet(ReadOnlyViewSet):
    """Active items, as the intake page offers them."""

    serializer_class = s.MatterItemSerializer
    filterset_class = filters.MatterItemFilter

    def get_queryset(self):
        return MatterItem.objects.filter(active=True).order_by("code", "id")
