"""The case hook (named in ``CIVICGRID_CASE_HOOKS``): turns ledger rows and SLA colour changes
into delivery rows, in the transaction that wrote them, and enqueues sending on commit.

Cheap by design, because the hotline import hands over thousands of events at once: the
active subscriptions are read in one query and kept for a second (dropped at once when a
subscription changes in this process); with none, a call costs no query at all. With some,
a batch costs one query for the cases, one for the partners' accounts, the scope look-up of
each partner, and one bulk insert.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.cases.models import Case

from . import signing
from .choices import SLA_EVENTS, event_type_of
from .models import WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
CACHE_SECONDS = 1.0
ENQUEUE_CHUNK = 500


@dataclass(frozen=True)
class _Sub:
    id: int
    user_id: int
    events: frozenset[str]


class _Cache(threading.local):
    at: float = float("-inf")
    subs: tuple[_Sub, ...] = ()


_cache = _Cache()


def invalidate() -> None:
    """Forget the cached subscriptions (after a change, and between tests)."""
    _cache.at = float("-inf")
    _cache.subs = ()


def active_subscriptions() -> tuple[_Sub, ...]:
    now = time.monotonic()
    if now - _cache.at > CACHE_SECONDS:
        rows = WebhookSubscription.objects.filter(
            active=True, partner__active=True, partner__user__is_active=True
        ).values_list("id", "partner__user_id", "events")
        _cache.subs = tuple(_Sub(pk, user_id, frozenset(ev or ())) for pk, user_id, ev in rows)
        _cache.at = now
    return _cache.subs


def events_written(events: list) -> None:
    subs = active_subscriptions()
    if not subs:
        return
    typed = [(e, event_type_of(e.action, e.to_status)) for e in events]
    typed = [(e, t) for e, t in typed if t]
    wanted = {t for _e, t in typed}
    matching = [s for s in subs if s.events & wanted]
    if not matching:
        return
    cases = _case_rows({e.case_id for e, _t in typed})
    items = [
        (
            e.case_id,
            t,
            e.pk,
            signing.event_payload(
                key=f"ce-{e.pk}",
                event_type=t,
                occurred_at=e.at,
                case=cases[e.case_id],
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
            ),
        )
        for e, t in typed
        if e.case_id in cases
    ]
    _write(matching, items)


def sla_changed(case_ids: list[int], sla_state: str) -> None:
    event_type = SLA_EVENTS.get(str(sla_state))
    subs = active_subscriptions() if event_type else ()
    matching = [s for s in subs if event_type in s.events]
    if not matching:
        return
    now = timezone.now()
    stamp = int(now.timestamp())
    cases = _case_rows(set(case_ids))
    items = [
        (
            pk,
            event_type,
            None,
            signing.event_payload(
                key=f"sla-{pk}-{sla_state}-{stamp}",
                event_type=event_type,
                occurred_at=now,
                case=row,
                to_status=row["status"],
            ),
        )
        for pk, row in cases.items()
    ]
    _write(matching, items)


def _case_rows(case_ids: set[int]) -> dict[int, dict]:
    rows = Case.objects.filter(pk__in=case_ids).values(*signing.CASE_FIELDS)
    return {r["id"]: signing.case_payload(r) for r in rows}


def _write(subs: list[_Sub], items: list[tuple[int, str, int | None, dict]]) -> None:
    """One delivery per (subscription, item) the partner may see; sending starts on commit."""
    users = get_user_model().objects.in_bulk({s.user_id for s in subs})
    case_ids = {case_id for case_id, *_rest in items}
    now = timezone.now()
    rows = []
    for sub in subs:
        user = users.get(sub.user_id)
        if user is None:
            continue
        visible = set(
            Case.objects.restrict(user, "view").filter(pk__in=case_ids).values_list("pk", flat=True)
        )
        rows.extend(
            WebhookDelivery(
                subscription_id=sub.id,
                event_type=event_type,
                event_key=payload["id"],
                case_id=case_id,
                case_event_id=event_id,
                payload=payload,
                next_attempt_at=now,
            )
            for case_id, event_type, event_id, payload in items
            if event_type in sub.events and case_id in visible
        )
    if not rows:
        return
    WebhookDelivery.objects.bulk_create(rows, batch_size=500)
    ids = [r.pk for r in rows]
    transaction.on_commit(lambda: enqueue(ids), robust=True)


def enqueue(ids: list[int]) -> None:
    """Hand the deliveries to the worker; if the queue is down the retry sweep sends them."""
    from .tasks import deliver_task

    for start in range(0, len(ids), ENQUEUE_CHUNK):
        try:
            deliver_task.enqueue(ids[start : start + ENQUEUE_CHUNK])
        except Exception:  # noqa: BLE001 - the rows are stored; the sweep is the safety net
            log.exception("webhooks: could not enqueue %d deliveries", len(ids))
            return
