"""Sending deliveries: claim, POST, record the outcome, schedule the retry.

A worker claims rows in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers) by setting a lease (``locked_until``), and sends
outside any transaction, so no lock is held while a partner's server is slow. A row whose
worker died is claimable again when its lease runs out. Success is any 2xx; anything else
(or no answer within the timeout) is retried after 1 min, 5 min, 30 min, 2 h and 12 h by
default, then the delivery is dead.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signing
from .choices import OPEN_DELIVERY, DeliveryStatus
from .models import WebhookDelivery

log = logging.getLogger(__name__)
DEFAULT_BACKOFF = (60, 300, 1800, 7200, 43200)
EXCERPT = 1000
USER_AGENT = "CivicGrid-Webhooks/1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def backoff() -> tuple[int, ...]:
    return tuple(getattr(settings, "CIVICGRID_WEBHOOK_BACKOFF", DEFAULT_BACKOFF))


def timeout() -> float:
    return float(getattr(settings, "CIVICGRID_WEBHOOK_TIMEOUT", 5))


def url_problem(url: str) -> str | None:
    """Why a URL may not receive deliveries (None if it may): https only, except plain http
    to this machine when ``CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK`` is on (development, tests)."""
    try:
        parts = urlsplit(url or "")
        host = parts.hostname or ""
    except ValueError:
        return _("接收地址格式不正确。")
    if parts.scheme == "https" and host:
        return address_problem(host, parts.port or 443, resolve=False)
    allow_loopback = getattr(settings, "CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
    if parts.scheme == "http" and host in LOOPBACK_HOSTS and allow_loopback:
        return None
    return _("接收地址必须以 https:// 开头。")


def _internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def address_problem(host: str, port: int, *, resolve: bool = True) -> str | None:
    """Deliveries go to the internet, never into the server's own network (SSRF): a host that
    is, or resolves to, a private, loopback, link-local, reserved or multicast address is
    refused — except loopback when CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development).
    With CIVICGRID_WEBHOOK_PROXY set the proxy decides and nothing is resolved here."""
    if getattr(settings, "CIVICGRID_WEBHOOK_PROXY", ""):
        return None
    allow_loopback = getattr(settings, "CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    elif not resolve:
        return None
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return _("无法解析接收地址的主机名。")
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        if allow_loopback and ip.is_loopback:
            continue
        if _internal(ip):
            return _("接收地址指向内部网络地址,不允许推送。")
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: the delivery fails and is retried."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener():
    proxy = getattr(settings, "CIVICGRID_WEBHOOK_PROXY", "")
    proxies = {"http": proxy, "https": proxy} if proxy else {}
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code or None, response excerpt, error text)."""
    parts = urlsplit(url)
    problem = address_problem(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    if problem:
        return None, "", str(problem)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener().open(request, timeout=timeout()) as resp:
            return resp.status, resp.read(EXCERPT).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as e:
        excerpt = e.read(EXCERPT).decode("utf-8", "replace") if e.fp else ""
        return e.code, excerpt, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return None, "", f"{type(e).__name__}: {reason}"[:EXCERPT]


def due(now: dt.datetime):
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    return WebhookDelivery.objects.filter(free, status__in=OPEN_DELIVERY, next_attempt_at__lte=now)


def claim(ids: list[int] | None, now: dt.datetime, limit: int = 100) -> list[int]:
    """Lease up to ``limit`` due deliveries (of ``ids``, or any) to this worker."""
    qs = due(now)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    with transaction.atomic():
        picked = list(
            qs.order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if picked:
            lease = now + dt.timedelta(seconds=timeout() + 60)
            WebhookDelivery.objects.filter(pk__in=picked).update(locked_until=lease)
    return picked


def send_claimed(ids: list[int]) -> dict[str, int]:
    counts = {s: 0 for s in DeliveryStatus.values}
    rows = WebhookDelivery.objects.filter(pk__in=ids).select_related("subscription__partner")
    for delivery in rows.order_by("id"):
        counts[attempt(delivery)] += 1
    return counts


def deliver(ids: list[int], now: dt.datetime | None = None) -> dict[str, int]:
    """Send the given deliveries that are due and not held by another worker."""
    return send_claimed(claim(list(ids), now or timezone.now(), limit=len(ids) or 1))


def sweep(now: dt.datetime | None = None, batch: int = 100) -> dict[str, int]:
    """The safety net: send everything due (new rows whose task was lost, retries whose
    time has come, rows of a worker that died), batch by batch."""
    now = now or timezone.now()
    total = {s: 0 for s in DeliveryStatus.values}
    seen: set[int] = set()
    while True:
        ids = [pk for pk in claim(None, now, limit=batch) if pk not in seen]
        if not ids:
            return total
        seen.update(ids)
        for status, n in send_claimed(ids).items():
            total[status] += n


def attempt(delivery: WebhookDelivery) -> str:
    """One POST of a claimed delivery; records the outcome and returns the new status."""
    sub = delivery.subscription
    now = timezone.now()
    problem = None
    if not (sub.active and sub.partner.active):
        problem = _("订阅或合作方已停用。")
    else:
        problem = url_problem(sub.url)
    if problem:
        code, excerpt, error = None, "", problem
        delivery.status = DeliveryStatus.DEAD
    else:
        body = signing.body_bytes(delivery.payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            signing.EVENT_HEADER: delivery.event_type,
            signing.DELIVERY_HEADER: str(delivery.pk),
            signing.SIGNATURE_HEADER: signing.signature(sub.secret, body, int(time.time())),
        }
        code, excerpt, error = post(sub.url, body, headers)
        delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = code
    delivery.response_excerpt = excerpt[:EXCERPT]
    delivery.last_error = error[:EXCERPT]
    delivery.locked_until = None
    if problem:
        delivery.next_attempt_at = None
    elif code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts > len(backoff()):
        delivery.status = DeliveryStatus.DEAD
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = now + dt.timedelta(seconds=backoff()[delivery.attempts - 1])
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "locked_until",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "response_excerpt",
            "delivered_at",
        ]
    )
    if delivery.status == DeliveryStatus.FAILED:
        _schedule_retry(delivery)
    return delivery.status


def _schedule_retry(delivery: WebhookDelivery) -> None:
    """On a backend that can defer (the database backend), enqueue the retry for its time;
    otherwise the periodic sweep sends it."""
    from .tasks import deliver_task

    task = deliver_task
    if not task.get_backend().supports_defer:
        return
    try:
        task.using(run_after=delivery.next_attempt_at).enqueue([delivery.pk])
    except Exception:  # noqa: BLE001 - next_attempt_at is stored; the sweep sends it
        log.exception("webhooks: could not schedule the retry of delivery %s", delivery.pk)
