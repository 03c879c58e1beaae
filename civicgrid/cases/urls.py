from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("q/<str:name>/", views.queue, name="queue_named"),
    path("q/<str:name>/export/", views.queue_export, name="queue_export"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("bulk/", views.queue_bulk, name="bulk"),
    path("import/hotline/", views.hotline_import, name="hotline_import"),
    path("import/hotline/export/", views.hotline_export, name="hotline_export"),
    path("new/", views.case_new, name="new"),
    path("new/map.json", views.pick_map_data, name="pick_map_data"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/", views.case_act, name="act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/oversight/<str:what>/", views.case_oversight, name="oversight"),
]
