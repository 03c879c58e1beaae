from django.urls import path

from . import views, views_member

app_name = "party"

urlpatterns = [
    # The member's and unit contact's own pages (open to participants, see middleware.py).
    path("me/", views_member.me, name="me"),
    path("me/report/", views_member.me_report, name="me_report"),
    path("me/points/", views_member.me_points, name="me_points"),
    path("me/reports/<int:pk>/withdraw/", views_member.own_withdraw, name="own_withdraw"),
    path("me/reports/<int:pk>/move/", views_member.own_move, name="own_move"),
    path("unit/", views_member.unit_home, name="unit_home"),
    path("unit/<int:pk>/report/", views_member.unit_report, name="unit_report"),
    path("receipt/<int:pk>/", views.receipt, name="receipt"),
    # Staff pages.
    path("", views.roster, name="roster"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/confirm/", views.report_confirm, name="report_confirm"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/move/", views.report_move, name="report_move"),
    path("reports/<int:pk>/remind/", views.remind, name="remind"),
    path("inactive/", views.inactive, name="inactive"),
    path("logins/", views.member_logins, name="member_logins"),
    path("logins/<int:pk>/create/", views.member_login_create, name="member_login_create"),
    path("points/", views.rankings, name="rankings"),
    path("points/ledger/", views.ledger, name="ledger"),
    path("points/ledger/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("points/adjust/", views.adjust, name="adjust"),
    path("points/awards/", views.awards, name="awards"),
]
