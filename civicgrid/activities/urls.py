from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.activity_new, name="new"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/qr/", views.activity_qr, name="qr"),
    path("<int:pk>/qr.json", views.activity_qr_json, name="qr_json"),
    path("<int:pk>/roster.csv", views.roster_csv, name="roster_csv"),
    path("<int:pk>/credit/", views.activity_credit, name="credit"),
    path("<int:pk>/enrol/", views.activity_enrol, name="enrol"),
    path("<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("<int:pk>/mark/<int:signup_pk>/", views.attendance_mark, name="mark"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/<slug:what>/", views.team_action, name="team_action"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
    path("stats/", views.stats, name="stats"),
    path("stats.json", views.stats_json, name="stats_json"),
    path("hours.csv", views.hours_csv, name="hours_csv"),
    path("open/", views.open_list, name="open"),
    path("open/<int:pk>/", views.open_detail, name="open_detail"),
    path("open/<int:pk>/signup/", views.signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("c/<str:token>/", views.checkin_page, name="checkin"),
    path("mine/", views.mine, name="mine"),
    path("recruit/", views.recruit_list, name="recruit"),
    path("recruit/<int:pk>/apply/", views.recruit_apply, name="recruit_apply"),
]
