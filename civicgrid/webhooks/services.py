"""Writes for webhooks: subscriptions (system administrators, or the partner's own service
account for its own), secret rotation, and replays. Every write is audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.models import Case
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.core.scoping import get_scope

from . import outbox, signing
from .choices import DeliveryStatus, EventType
from .delivery import url_problem
from .models import WebhookDelivery, WebhookSubscription

AUDIT_CREATE = "webhook_create"
AUDIT_UPDATE = "webhook_update"
AUDIT_REPLAY = "webhook_replay"
MAX_REPLAY = 10000


def is_webhook_admin(user) -> bool:
    """The system itself (None), a superuser, or a system administrator over everything."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return get_scope(user, "admin").everything


def _require(actor, partner) -> None:
    if is_webhook_admin(actor):
        return
    if partner is not None and getattr(actor, "pk", None) == partner.user_id:
        return
    raise PermissionDenied(_("只有系统管理员或该合作方本身可以管理推送订阅。"))


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise _invalid("url", _("请填写接收地址。"))
    if len(url) > 500:
        raise _invalid("url", _("接收地址不能超过 500 个字符。"))
    problem = url_problem(url)
    if problem:
        raise _invalid("url", problem)
    return url


def clean_events(events) -> list[str]:
    chosen = [str(e).strip() for e in (events or []) if str(e).strip()]
    if not chosen:
        raise _invalid("events", _("请至少选择一种事件类型。"))
    unknown = sorted(set(chosen) - set(EventType.values))
    if unknown:
        raise _invalid("events", _("未知的事件类型:%(e)s") % {"e": "、".join(unknown)})
    return [e for e in EventType.values if e in set(chosen)]


@transaction.atomic
def subscription_create(
    *, actor, partner, url: str, events, description: str = "", request=None
) -> tuple[WebhookSubscription, str]:
    """A subscription and its signing secret. The secret is returned here and never again
    (it is stored encrypted; rotate it to get a new one)."""
    _require(actor, partner)
    if partner is None:
        raise _invalid("partner", _("请选择合作方。"))
    if len(description or "") > 200:
        raise _invalid("description", _("说明不能超过 200 字。"))
    secret = signing.new_secret()
    sub = WebhookSubscription.objects.create(
        partner=partner,
        url=clean_url(url),
        events=clean_events(events),
        description=(description or "").strip(),
        secret=secret,
        created_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AUDIT_CREATE,
        obj=sub,
        request=request,
        detail={"partner": partner.pk, "url": sub.url, "events": sub.events},
    )
    transaction.on_commit(outbox.invalidate)
    outbox.invalidate()
    return sub, secret


@transaction.atomic
def subscription_update(
    *,
    actor,
    subscription: WebhookSubscription,
    url: str | None = None,
    events=None,
    active: bool | None = None,
    description: str | None = None,
    request=None,
) -> WebhookSubscription:
    sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    _require(actor, sub.partner)
    changed: dict = {}
    if url is not None and url.strip() != sub.url:
        sub.url = changed["url"] = clean_url(url)
    if events is not None:
        cleaned = clean_events(events)
        if cleaned != sub.events:
            sub.events = changed["events"] = cleaned
    if active is not None and bool(active) != sub.active:
        sub.active = changed["active"] = bool(active)
    if description is not None and description.strip() != sub.description:
        if len(description) > 200:
            raise _invalid("description", _("说明不能超过 200 字。"))
        sub.description = changed["description"] = description.strip()
    if changed:
        sub.save()
        audit_record(actor=actor, action=AUDIT_UPDATE, obj=sub, request=request, detail=changed)
        transaction.on_commit(outbox.invalidate)
        outbox.invalidate()
    return sub


@transaction.atomic
def subscription_rotate_secret(
    *, actor, subscription: WebhookSubscription, request=None
) -> tuple[WebhookSubscription, str]:
    """A new signing secret, effective for every attempt from now on; returned once."""
    sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    _require(actor, sub.partner)
    secret = signing.new_secret()
    sub.secret = secret
    sub.save(update_fields=["secret", "updated_at"])
    audit_record(
        actor=actor, action=AUDIT_UPDATE, obj=sub, request=request, detail={"secret": "rotated"}
    )
    return sub, secret


def _replayable(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Deliveries whose subscription is active and whose case the partner still may see."""
    out = []
    by_sub: dict[int, list[WebhookDelivery]] = {}
    for d in deliveries:
        by_sub.setdefault(d.subscription_id, []).append(d)
    for group in by_sub.values():
        sub = group[0].subscription
        if not (sub.active and sub.partner.active):
            raise ValidationFailed(_("订阅或合作方已停用,不能重发。"))
        visible = set(
            Case.objects.restrict(sub.partner.user, "view")
            .filter(pk__in={d.case_id for d in group if d.case_id})
            .values_list("pk", flat=True)
        )
        out.extend(d for d in group if d.case_id in visible)
    return out


@transaction.atomic
def deliveries_replay(*, actor, deliveries, request=None) -> list[WebhookDelivery]:
    """Send these deliveries again as new deliveries with the same payload (and event id),
    whatever their outcome was. Needs a system administrator; audited."""
    if not is_webhook_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以重发推送。"))
    originals = list(deliveries.select_related("subscription__partner__user")[: MAX_REPLAY + 1])
    if len(originals) > MAX_REPLAY:
        raise ValidationFailed(_("一次最多重发 %(n)d 条,请缩小范围。") % {"n": MAX_REPLAY})
    now = timezone.now()
    copies = [
        WebhookDelivery(
            subscription_id=d.subscription_id,
            event_type=d.event_type,
            event_key=d.event_key,
            case_id=d.case_id,
            case_event_id=d.case_event_id,
            payload=d.payload,
            next_attempt_at=now,
            replay_of=d,
        )
        for d in _replayable(originals)
    ]
    WebhookDelivery.objects.bulk_create(copies, batch_size=500)
    audit_record(
        actor=actor,
        action=AUDIT_REPLAY,
        request=request,
        detail={
            "deliveries": [d.pk for d in originals][:100],
            "asked": len(originals),
            "replayed": len(copies),
        },
    )
    ids = [c.pk for c in copies]
    if ids:
        transaction.on_commit(lambda: outbox.enqueue(ids), robust=True)
    return copies


def replay_since(
    *, actor, subscription: WebhookSubscription, since: dt.datetime, status: str = "", request=None
) -> list[WebhookDelivery]:
    """Replay a subscription's original deliveries created at or after ``since``."""
    qs = WebhookDelivery.objects.filter(
        subscription=subscription, created_at__gte=since, replay_of__isnull=True
    ).order_by("created_at", "id")
    if status:
        if status not in DeliveryStatus.values:
            raise ValidationFailed(_("未知的推送状态:%(s)s") % {"s": status})
        qs = qs.filter(status=status)
    return deliveries_replay(actor=actor, deliveries=qs, request=request)
