"""/api/v1/: the routers, the schema and its documentation pages.

Not built yet (issue 8 leaves room for them): claims of needs and micro-wishes, activities,
resource bookings and deliberation meetings. Each will be one more ``router.register`` line
here, over its domain app's selectors and services.
"""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
)
from rest_framework.routers import DefaultRouter

from .views import assessment, auth, cases, catalogue, docs, registry
from .views.base import ID_REGEX, not_found

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("areas", registry.AreaViewSet, basename="area")
router.register("grids", registry.GridViewSet, basename="grid")
router.register("units", registry.UnitViewSet, basename="unit")
router.register("departments", registry.DepartmentViewSet, basename="department")
router.register(
    "party-organizations", registry.PartyOrganizationViewSet, basename="party-organization"
)
router.register("buildings", registry.BuildingViewSet, basename="building")
router.register("households", registry.HouseholdViewSet, basename="household")
router.register("residents", registry.ResidentViewSet, basename="resident")
router.register("party-members", registry.PartyMemberViewSet, basename="party-member")
router.register("catalogue/groups", catalogue.MatterGroupViewSet, basename="matter-group")
router.register("catalogue/items", catalogue.MatterItemViewSet, basename="matter-item")
router.register("cases", cases.CaseViewSet, basename="case")

v1 = [
    path("", include(router.urls)),
    path("assessment/", assessment.AssessmentView.as_view(), name="assessment"),
    path("auth/tokens/", auth.TokenListCreateView.as_view(), name="tokens"),
    re_path(rf"^auth/tokens/(?P<pk>{ID_REGEX})/$", auth.TokenRevokeView.as_view(), name="token"),
    path("auth/me/", auth.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^.*$", not_found, name="not_found"),
]
