"""Who may call the API at all. What they may see and do is decided by scoping and the domain
services; this only demands a caller, and for partner keys the matching key scope."""

from __future__ import annotations

from rest_framework import permissions

from civicgrid.partners.drf import HasKeyScope
from civicgrid.partners.models import ApiKey

READ_SCOPE = "api:read"
WRITE_SCOPE = "api:write"


def partner_key(request) -> ApiKey | None:
    """The partner API key the request was authenticated with, or None."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class ApiAccess(permissions.IsAuthenticated):
    """A signed-in user, a personal token, or a partner key (whose service account holds the
    partner role over its area, so scoping applies to it unchanged)."""


# A partner key needs api:read for reads and api:write for writes; other callers pass.
KeyScope = HasKeyScope(read=READ_SCOPE, write=WRITE_SCOPE)
