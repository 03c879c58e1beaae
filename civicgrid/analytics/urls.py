from django.urls import path

from . import views

app_name = "hotspots"

urlpatterns = [
    path("", views.hotspot_list, name="list"),
    path("<int:pk>/", views.hotspot_detail, name="detail"),
    path("<int:pk>/dismiss/", views.hotspot_dismiss, name="dismiss"),
    path("<int:pk>/open-case/", views.hotspot_open_case, name="open_case"),
]
