from django.urls import path

from . import views, views_property, views_public, views_votes

app_name = "participation"

urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<str:what>/", views.meeting_act, name="meeting_act"),
    path("items/<int:pk>/<str:what>/", views.item_act, name="item_act"),
    path("proposals/", views.proposals, name="proposals"),
    path("stats/", views.stats, name="stats"),
    path("property/", views_property.company_list, name="companies"),
    path("property/companies/<int:pk>/", views_property.company_detail, name="company"),
    path(
        "property/companies/<int:pk>/inspection/", views_property.inspection_new, name="inspection"
    ),
    path("property/compounds/new/", views_property.compound_edit, name="compound_new"),
    path("property/compounds/<int:pk>/", views_property.compound_edit, name="compound"),
    path("property/assessment/", views_property.assessment_page, name="assessment"),
    path(
        "property/assessment/publish/", views_property.assessment_publish, name="assessment_publish"
    ),
    path(
        "cases/<int:pk>/dispatch-property/",
        views_property.dispatch_property,
        name="dispatch_property",
    ),
    path("votes/", views_votes.vote_list, name="votes"),
    path("votes/<int:pk>/", views_votes.vote_detail, name="vote"),
    path("votes/<int:pk>/<str:what>/", views_votes.vote_act, name="vote_act"),
    path("public/", views_public.index, name="public"),
    path("public/communities/<int:pk>/", views_public.community_meetings, name="public_meetings"),
    path("public/meetings/<int:pk>/", views_public.meeting, name="public_meeting"),
    path("public/property/<int:pk>/", views_public.assessment, name="public_assessment"),
    path("public/votes/<int:pk>/", views_public.vote, name="public_vote"),
    path("public/votes/<int:pk>/ballot/", views_votes.ballot, name="ballot"),
]
