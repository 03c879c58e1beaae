from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("portal/suggest/", views.portal_suggest, name="portal_suggest"),
    path("cases/<int:pk>/item/", views.reclassify, name="reclassify"),
]
