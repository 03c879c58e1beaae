from django.urls import path

from . import views

app_name = "partylife"

urlpatterns = [
    path("", views.index, name="index"),
    path("evaluation/", views.round_list, name="rounds"),
    path("evaluation/new/", views.round_new, name="round_new"),
    path("evaluation/<int:pk>/", views.round_detail, name="round"),
    path("evaluation/<int:pk>/<str:action>/", views.round_action, name="round_action"),
    path("evaluation/<int:pk>/export.xlsx", views.round_export, name="round_export"),
    path("evaluation/tasks/", views.task_list, name="tasks"),
    path("evaluation/tasks/<int:pk>/", views.task_fill, name="task"),
    path("orgs/", views.org_list, name="orgs"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("orgs/<int:pk>/training/", views.training_new, name="training_new"),
    path("orgs/<int:pk>/dues/base/", views.dues_base_new, name="dues_base_new"),
    path("orgs/<int:pk>/dues/pay/", views.dues_pay, name="dues_pay"),
    path("orgs/<int:pk>/stars/", views.star_compute, name="star_compute"),
    path("overview/", views.overview, name="overview"),
    path("overview/compute/", views.overview_compute, name="overview_compute"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/<str:action>/", views.rectification_action, name="rectification"),
]
