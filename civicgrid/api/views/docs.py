"""The schema's documentation page, served from our own origin (drf-spectacular-sidecar).

Swagger UI only: ReDoc injects <style> elements, starts a worker from a blob and loads its
logo from a CDN, none of which the site's CSP allows."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its start-up script is a separate request (no inline script)."""

    template_name = "api/swagger_ui.html"
