"""Open311 settings, with their defaults (see docs/open311.md)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def jurisdiction_id() -> str:
    return getattr(settings, "CIVICGRID_OPEN311_JURISDICTION_ID", "civicgrid.local")


def post_rate_per_minute() -> int:
    """POST requests allowed per API key per minute."""
    return int(getattr(settings, "CIVICGRID_OPEN311_POST_RATE", 30))


def anonymous_read() -> bool:
    """Whether GET requests without a key see the coarse public view (True) or are refused."""
    return bool(getattr(settings, "CIVICGRID_OPEN311_ANONYMOUS_READ", True))


def contact() -> str:
    return str(
        getattr(settings, "CIVICGRID_OPEN311_CONTACT", "")
        or _("如需帮助,请联系本县(区)社会治理中心系统管理员。")
    )


def key_service() -> str:
    return str(
        getattr(settings, "CIVICGRID_OPEN311_KEY_SERVICE", "")
        or _("API 密钥由系统管理员签发:请向本县(区)社会治理中心提出申请。")
    )


def endpoint_type() -> str:
    return getattr(settings, "CIVICGRID_OPEN311_ENDPOINT_TYPE", "production")
