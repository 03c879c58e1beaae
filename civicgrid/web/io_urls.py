"""Import and export pages (Excel/CSV), mounted at /io/."""

from django.urls import path

from . import io_views as views

app_name = "io"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/template/", views.template, name="template"),
    path("<slug:kind>/import/", views.upload, name="import"),
    path("<slug:kind>/export/", views.export, name="export"),
    path("reports/<str:token>/", views.report, name="report"),
]
