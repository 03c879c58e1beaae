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
import functools
import http.client
import ipaddress
import logging
import socket
import ssl
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
    """Anything but a globally routable unicast address: private, loopback, link-local,
    reserved, multicast, unspecified, and also the shared address space 100.64.0.0/10 (carrier
    NAT, and where some clouds keep their metadata service: 100.100.100.200)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def checked_addresses(host: str, port: int, *, resolve: bool = True):
    """(problem, addresses): the host's addresses, resolved once, and why they may not
    receive deliveries (None if they may). Deliveries go to the internet, never into the
    server's own network (SSRF): a host that is, or resolves to, any internal address is
    refused — except loopback when CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development).
    With CIVICGRID_WEBHOOK_PROXY set the proxy decides and nothing is resolved here."""
    if getattr(settings, "CIVICGRID_WEBHOOK_PROXY", ""):
        return None, []
    allow_loopback = getattr(settings, "CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK", False)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    elif not resolve:
        return None, []
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return _("无法解析接收地址的主机名。"), []
        addresses = list(
            dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos)
        )
    for ip in addresses:
        if allow_loopback and ip.is_loopback:
            continue
        if _internal(ip):
            return _("接收地址指向内部网络地址,不允许推送。"), []
    return None, addresses


def address_problem(host: str, port: int, *, resolve: bool = True) -> str | None:
    """Why ``host`` may not receive deliveries (see ``checked_addresses``), or None."""
    return checked_addresses(host, port, resolve=resolve)[0]


def _connect_pinned(addresses, port: int, timeout, source_address):
    """A TCP connection to one of the checked addresses, in order. The name is not resolved
    again: a DNS answer that changes after the check (rebinding) cannot move the connection."""
    error: OSError | None = None
    for ip in addresses:
        try:
            return socket.create_connection((str(ip), port), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, pinned, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned = pinned

    def connect(self):
        self.sock = _connect_pinned(self._pinned, self.port, self.timeout, self.source_address)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the URL's name for SNI, the certificate check and the
    Host header (which urllib sets from the URL)."""

    def __init__(self, *args, pinned, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned = pinned

    def connect(self):
        sock = _connect_pinned(self._pinned, self.port, self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, pinned):
        super().__init__()
        self._pinned = pinned

    def http_open(self, req):
        return self.do_open(functools.partial(_PinnedHTTPConnection, pinned=self._pinned), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, pinned, context):
        super().__init__(context=context)
        self._pinned = pinned

    def https_open(self, req):
        return self.do_open(
            functools.partial(_PinnedHTTPSConnection, pinned=self._pinned),
            req,
            context=self._context,
        )


def tls_context() -> ssl.SSLContext:
    """Certificates are verified against the system's authorities, or against
    CIVICGRID_WEBHOOK_CA_FILE when set (a private CA)."""
    return ssl.create_default_context(
        cafile=getattr(settings, "CIVICGRID_WEBHOOK_CA_FILE", "") or None
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: the delivery fails and is retried."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(pinned=None):
    proxy = getattr(settings, "CIVICGRID_WEBHOOK_PROXY", "")
    if proxy:
        return urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": proxy, "https": proxy}),
            urllib.request.HTTPSHandler(context=tls_context()),
            _NoRedirect,
        )
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(pinned),
        _PinnedHTTPSHandler(pinned, tls_context()),
        _NoRedirect,
    )


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, str]:
    """(status code or None, response excerpt, error text). The host is resolved once, the
    addresses checked, and the connection made to a checked address (without a proxy)."""
    parts = urlsplit(url)
    problem, pinned = checked_addresses(
        parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    )
    if problem:
        return None, "", str(problem)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener(pinned).open(request, timeout=timeout()) as resp:
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
