"""A tiny DRF view for the authentication and permission tests."""

from django.urls import path
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.geo.models import Area
from civicgrid.partners.drf import ApiKeyAuthentication, HasKeyScope


class AreasView(APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, HasKeyScope(read="api:read", write="api:write")]

    def get(self, request):
        codes = sorted(Area.objects.restrict(request.user).values_list("code", flat=True))
        return Response({"user": request.user.username, "areas": codes})

    def post(self, request):
        return Response({"ok": True}, status=201)


class WebhooksView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated, HasKeyScope("webhooks")]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("t/areas/", AreasView.as_view()),
    path("t/webhooks/", WebhooksView.as_view()),
]
