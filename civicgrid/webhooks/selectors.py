"""Reads for the delivery log (system administrators only: it spans every partner)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from civicgrid.core.errors import NotFound, PermissionDenied

from .models import WebhookDelivery, WebhookSubscription
from .services import is_webhook_admin


def _require_admin(user) -> None:
    if not is_webhook_admin(user) or user is None:
        raise PermissionDenied()


def delivery_list(
    *,
    user,
    status: str = "",
    event_type: str = "",
    subscription: WebhookSubscription | None = None,
    case_number: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[WebhookDelivery]:
    """Deliveries, newest first, with their subscription, partner and case in the same query."""
    _require_admin(user)
    qs = WebhookDelivery.objects.select_related("subscription__partner", "case").defer(
        "payload", "response_excerpt"
    )
    if status:
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if subscription is not None:
        qs = qs.filter(subscription=subscription)
    if case_number:
        qs = qs.filter(case__number=case_number.strip())
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


def delivery_get(*, user, pk: int) -> WebhookDelivery:
    _require_admin(user)
    found = (
        WebhookDelivery.objects.select_related("subscription__partner", "case", "replay_of")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def subscription_list(*, user) -> QuerySet[WebhookSubscription]:
    _require_admin(user)
    return WebhookSubscription.objects.select_related("partner").order_by("partner__name", "id")
