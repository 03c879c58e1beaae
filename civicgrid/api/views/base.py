from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import mixins, viewsets

from civicgrid.core.errors import NotFound as CoreNotFound

from ..errors import error_body

ID_REGEX = r"[0-9]{1,18}"


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail of scoped rows. ``get_object`` may call the domain's ``*_get`` selector,
    which answers 404 for rows outside the caller's areas exactly as for missing ones."""

    lookup_value_regex = ID_REGEX


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /api/ that names no endpoint: the API's 404, not an HTML page."""
    body = error_body("not_found", CoreNotFound.default_message)
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
