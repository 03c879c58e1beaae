from django.urls import path

from . import duplicate_views as views

app_name = "duplicates"

urlpatterns = [
    path("candidates/", views.candidates, name="candidates"),
    path("portal/candidates/", views.portal_candidates, name="portal_candidates"),
    path("<int:pk>/join/", views.join, name="join"),
    path("portal/<int:pk>/join/", views.portal_join, name="portal_join"),
    path("rate/<str:code>/", views.rate, name="rate"),
]
