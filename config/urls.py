from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("civicgrid.web.account_urls")),
    path("cases/", include("civicgrid.cases.urls")),
    path("portal/", include("civicgrid.cases.portal_urls")),
    path("intake/", include("civicgrid.intake.urls")),
    path("duplicates/", include("civicgrid.analytics.duplicate_urls")),
    path("hotspots/", include("civicgrid.analytics.urls")),
    path("screen/", include("civicgrid.analytics.screen_urls")),
    path("reports/", include("civicgrid.reports.urls")),
    path("surveys/", include("civicgrid.surveys.urls")),
    path("partylife/", include("civicgrid.partylife.urls")),
    path("participation/", include("civicgrid.participation.urls")),
    path("wishes/", include("civicgrid.wishes.urls")),
    path("party/", include("civicgrid.party.urls")),
    path("activities/", include("civicgrid.activities.urls")),
    path("patrols/", include("civicgrid.patrols.urls")),
    path("open311/", include("civicgrid.open311.urls")),
    path("webhooks/", include("civicgrid.webhooks.urls")),
    path("api/", include("civicgrid.api.urls")),
    path("resources/", include("civicgrid.resources.urls")),
    path("", include("civicgrid.web.urls")),
]
