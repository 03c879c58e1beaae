from django.urls import path

from . import screen_views

app_name = "screen"

urlpatterns = [
    path("", screen_views.screen_page, name="page"),
    path("data/", screen_views.screen_data, name="data"),
]
