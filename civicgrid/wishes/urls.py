from django.urls import path

from . import views

app_name = "wishes"

urlpatterns = [
    path("", views.wish_list, name="list"),
    path("new/", views.wish_new, name="new"),
    path("export.xlsx", views.wish_export, name="export"),
    path("<int:pk>/", views.wish_detail, name="detail"),
    path("<int:pk>/action/", views.wish_action, name="action"),
    path("claims/<int:pk>/", views.claim_action, name="claim_action"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreement-items/<int:pk>/progress/", views.agreement_item_progress, name="item_progress"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("rates/", views.rates, name="rates"),
    path("m/", views.m_home, name="m_home"),
    path("m/post/", views.m_post, name="m_post"),
    path("m/<int:pk>/", views.m_wish, name="m_wish"),
    path("m/<int:pk>/claim/", views.m_claim, name="m_claim"),
    path("portal/", views.portal_home, name="portal"),
    path("portal/<int:pk>/", views.portal_wish, name="portal_wish"),
    path("portal/<int:pk>/rate/", views.portal_rate, name="portal_rate"),
]
