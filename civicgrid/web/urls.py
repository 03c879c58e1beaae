from django.urls import include, path

from . import geo_views, org_views, people_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/", geo_views.area_tree, name="area_tree"),
    path("map/", geo_views.map_page, name="map"),
    path("map/data/", geo_views.map_data, name="map_data"),
    path("grids/<int:pk>/", geo_views.grid_detail, name="grid_detail"),
    path("residents/", people_views.resident_list, name="resident_list"),
    path("residents/<int:pk>/", people_views.resident_detail, name="resident_detail"),
    path(
        "residents/<int:pk>/reveal/<str:field>/",
        people_views.resident_reveal,
        name="resident_reveal",
    ),
    path("residents/<int:pk>/visits/", people_views.visit_add, name="visit_add"),
    path("party/orgs/", org_views.party_org_tree, name="party_org_tree"),
    path("party/orgs/<int:pk>/", org_views.party_org_detail, name="party_org_detail"),
    path("party/members/", people_views.party_member_list, name="party_member_list"),
    path("party/members/<int:pk>/", people_views.party_member_detail, name="party_member_detail"),
    path(
        "party/members/<int:pk>/reveal/<str:field>/",
        people_views.party_member_reveal,
        name="party_member_reveal",
    ),
    path("units/", org_views.unit_list, name="unit_list"),
    path("units/<int:pk>/", org_views.unit_detail, name="unit_detail"),
    path("io/", include("civicgrid.web.io_urls")),
]
