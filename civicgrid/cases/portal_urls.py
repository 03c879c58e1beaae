from django.urls import path

from . import portal_views as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("login/", views.portal_login, name="login"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track, name="track_code"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
]
