"""The request counter moved to civicgrid.core.ratelimit (the portal uses it too)."""

from civicgrid.core.ratelimit import allow  # noqa: F401
