"""Import and export pages (Excel/GeoJSON), mounted at /io/."""

from django.urls import path

urlpatterns: list = []
