from django.urls import path

from . import views

app_name = "patrols"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("list/", views.patrol_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/points/", views.points, name="points"),
    path("<int:pk>/end/", views.end, name="end"),
    path("duties/", views.duties, name="duties"),
    path("missed/", views.missed, name="missed"),
    path("missed/<int:pk>/ack/", views.missed_ack, name="missed_ack"),
    path("coverage/", views.coverage, name="coverage"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/visits/<int:pk>/", views.contact_visit, name="contact_visit"),
    path("contacts/opinions/", views.opinions, name="opinions"),
    path("orgs/", views.org_coverage, name="org_coverage"),
    path("orgs/flags/<int:pk>/", views.flag_update, name="flag_update"),
    path("gig/", views.gig_ledger, name="gig_ledger"),
    path("gig/report/", views.gig_report, name="gig_report"),
]
