"""Probable duplicates of a case being entered, and joining an existing case instead.

Candidates are open cases of the same item or of the same catalogue group, reported within
the item's time window, whose point lies within the item's distance of the new point. They
are found through one indexed prefilter (open status, the grids whose bounding boxes meet
the search box, the items, the creation time; see `_prefilter`) and then scored in Python:

    score = 0.50 · text + 0.30 · category + 0.20 · proximity

- text: cosine similarity of the term sets of `civicgrid.core.textsearch.index_terms`
  (segmenter words plus character bigrams), without the terms of the item's name;
- category: 1 for the same item, 0.5 for another item of the same group;
- proximity: 1 at the same point, falling linearly to 0 at the item's distance.

Distance, time window and the score threshold are configured per catalogue item, group or
domain (`rule_for`, setting ``CIVICGRID_DUPLICATES``, docs/duplicates.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases import hooks
from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.models import Case, CaseAttachment, CaseEvent, MatterItem, open_q
from civicgrid.cases.services import tracking_code
from civicgrid.core.crypto import blind_index
from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.core.textsearch import index_terms
from civicgrid.core.validators import validate_contact_phone
from civicgrid.geo.models import Grid

DEFAULT_RULE = {"distance_m": 300, "days": 14, "min_score": 0.45}
WEIGHTS = {"text": 0.50, "category": 0.30, "proximity": 0.20}
MAX_ROWS = 2000  # rows scored at most per look-up (the prefilter returns far fewer)
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Rule:
    distance_m: float
    days: float
    min_score: float


def rule_for(item: MatterItem) -> Rule:
    """The matching rule of an item: the defaults, overridden by the item's domain, then its
    group, then the item itself (``CIVICGRID_DUPLICATES = {"default": {...}, "domains":
    {"ecology": {...}}, "groups": {"A03": {...}}, "items": {"A03-02": {...}}}``)."""
    conf = getattr(settings, "CIVICGRID_DUPLICATES", {}) or {}
    rule = dict(DEFAULT_RULE)
    rule.update(conf.get("default", {}))
    rule.update(conf.get("domains", {}).get(item.domain, {}))
    group_code = getattr(getattr(item, "group", None), "code", None)
    if group_code:
        rule.update(conf.get("groups", {}).get(group_code, {}))
    rule.update(conf.get("items", {}).get(item.code, {}))
    return Rule(
        distance_m=float(rule["distance_m"]),
        days=float(rule["days"]),
        min_score=float(rule["min_score"]),
    )


@dataclass
class Candidate:
    case_id: int
    number: str
    item_id: int
    item_name: str
    status: str
    status_label: str
    created_at: Any
    distance_m: float | None
    score: float
    text_similarity: float
    same_item: bool
    text: str = ""
    address: str = ""
    photo_id: int | None = None
    extra: dict = field(default_factory=dict)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a square that holds the circle of `metres`."""
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def _terms(*parts: str) -> frozenset[str]:
    return frozenset(index_terms(*parts).split())


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


_CACHE: dict[str, tuple[float, Any]] = {}
CACHE_SECONDS = 60.0  # grids and catalogue groups change rarely; a new one counts within a minute


def _cached(key: str, load):
    now = time.monotonic()
    hit = _CACHE.get(key)
    if hit is None or now - hit[0] > CACHE_SECONDS:
        hit = (now, load())
        _CACHE[key] = hit
    return hit[1]


def clear_cache() -> None:
    _CACHE.clear()


def _grid_boxes() -> list[tuple[int, float, float, float, float]]:
    return list(
        Grid.objects.filter(min_x__isnull=False)
        .order_by()
        .values_list("id", "min_x", "min_y", "max_x", "max_y")
    )


def _grids_near(box: tuple[float, float, float, float]) -> list[int]:
    x0, y0, x1, y1 = box
    return [
        pk
        for pk, gx0, gy0, gx1, gy1 in _cached("grids", _grid_boxes)
        if gx0 <= x1 and gx1 >= x0 and gy0 <= y1 and gy1 >= y0
    ]


def _group_items(group_id: int) -> dict[int, str]:
    return _cached(
        f"group:{group_id}",
        lambda: dict(MatterItem.objects.filter(group_id=group_id).values_list("id", "name")),
    )


def _prefilter(*, item_ids, since, box, community_id, user, public: bool):
    """Open cases of the items since `since` near the point (or, without a point, in the
    community). Served on both databases by the partial index ``case_open_grid_item``
    (grid, item, created_at, lon, lat WHERE open; analytics migration 0002)."""
    qs = Case.objects.all() if public else Case.objects.restrict(user)
    qs = qs.filter(open_q(), item_id__in=item_ids, created_at__gte=since)
    if box is not None:
        grid_ids = _grids_near(box)
        if not grid_ids:
            return qs.none()
        x0, y0, x1, y1 = box
        qs = qs.filter(grid_id__in=grid_ids, lon__gte=x0, lon__lte=x1, lat__gte=y0, lat__lte=y1)
    else:
        qs = qs.filter(area_id=community_id)
    return qs.order_by()


def find_candidates(
    *,
    user,
    item: MatterItem,
    text: str = "",
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    grid: Grid | None = None,
    community_id: int | None = None,
    public: bool = False,
    exclude: int | None = None,
    limit: int = 5,
    now=None,
) -> list[Candidate]:
    """Open cases that are probably the same problem, best first.

    Staff (``public=False``) see only the cases their scope holds. The resident portal
    (``public=True``) looks at every open case but must show only `public_summary`.
    Without a point, the grid's centre is used; without either, the community's cases
    are compared with no distance.
    """
    rule = rule_for(item)
    now = now or timezone.now()
    since = now - timezone.timedelta(days=rule.days)
    if (lon is None or lat is None) and grid is not None and grid.min_x is not None:
        lon, lat = (grid.min_x + grid.max_x) / 2, (grid.min_y + grid.max_y) / 2
    has_point = lon is not None and lat is not None
    if not has_point and community_id is None:
        return []
    siblings = dict(_group_items(item.group_id))
    siblings[item.pk] = item.name
    box = bounding_box(lon, lat, rule.distance_m) if has_point else None
    rows = list(
        _prefilter(
            item_ids=list(siblings),
            since=since,
            box=box,
            community_id=community_id,
            user=user,
            public=public,
        ).values_list(
            "id",
            "number",
            "item_id",
            "status",
            "search_text",
            "lon",
            "lat",
            "created_at",
        )[:MAX_ROWS]
    )
    query = _terms(text, address)
    # The item names are in every case's search terms: they would make any two cases alike.
    name_terms = {pk: _terms(name) for pk, name in siblings.items()}
    status_labels = dict(Case._meta.get_field("status").choices)
    found: list[Candidate] = []
    for pk, number, item_id, status, terms, clon, clat, created in rows:
        if pk == exclude:
            continue
        dist = None
        if has_point and clon is not None and clat is not None:
            dist = distance_m(lon, lat, clon, clat)
            if dist > rule.distance_m:
                continue
        sim = cosine(query - name_terms[item.pk], frozenset(terms.split()) - name_terms[item_id])
        same = item_id == item.pk
        proximity = 0.0 if dist is None else 1.0 - dist / rule.distance_m
        score = (
            WEIGHTS["text"] * sim
            + WEIGHTS["category"] * (1.0 if same else 0.5)
            + WEIGHTS["proximity"] * proximity
        )
        if score < rule.min_score:
            continue
        found.append(
            Candidate(
                case_id=pk,
                number=number or "",
                item_id=item_id,
                item_name=siblings[item_id],
                status=status,
                status_label=str(status_labels.get(status, status)),
                created_at=created,
                distance_m=None if dist is None else round(dist),
                score=round(score, 3),
                text_similarity=round(sim, 3),
                same_item=same,
            )
        )
    found.sort(key=lambda c: (-c.score, c.distance_m or 0, -c.case_id))
    found = found[:limit]
    if found and not public:
        _attach_details(found)
    return found


def _attach_details(found: list[Candidate]) -> None:
    """Text and address (read for the few shown, not for every row scored) and the first
    photo of each candidate (served by the scoped attachment view)."""
    details = {
        pk: (text, address)
        for pk, text, address in Case.objects.filter(pk__in=[c.case_id for c in found])
        .order_by()
        .values_list("id", "text", "address")
    }
    for c in found:
        c.text, c.address = details.get(c.case_id, ("", ""))
    _attach_photos(found)


def _attach_photos(found: list[Candidate]) -> None:
    """The first photo of each candidate (served by the scoped attachment view)."""
    photos: dict[int, int] = {}
    for case_id, att_id in (
        CaseAttachment.objects.filter(
            case_id__in=[c.case_id for c in found], content_type__startswith="image/"
        )
        .order_by("case_id", "id")
        .values_list("case_id", "id")
    ):
        photos.setdefault(case_id, att_id)
    for c in found:
        c.photo_id = photos.get(c.case_id)


def public_summary(c: Candidate) -> dict[str, Any]:
    """What a resident may learn of someone else's case: its category, its state, roughly how
    far and how long ago — no text, no address, no photo, no number, no person."""
    days = max(0, (timezone.now() - c.created_at).days)
    dist = None if c.distance_m is None else int(max(50, round(c.distance_m / 50) * 50))
    return {
        "id": c.case_id,
        "item": c.item_name,
        "status": c.status_label,
        "distance_m": dist,
        "days_ago": days,
    }


def _record_join(case: Case, *, actor, data: dict) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="join",
        from_status=case.status,
        to_status=case.status,
        note=_("共同诉求人加入"),
        data=data,
    )
    hooks.events_written([event])
    return event


@transaction.atomic
def case_join(*, actor, case: Case, name: str = "", phone: str = "", on_behalf: bool = False):
    """Record a person as a co-reporter of an open case (加入该事件): they are told of each
    later step and asked to rate the result. ``on_behalf``: staff entering a hotline call or a
    visit record the caller (`name`, `phone`) rather than themselves.

    Joining twice is not an error: the first record is returned. Returns the CoReporter."""
    from civicgrid.analytics.models import CoReporter

    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed(_("请先登录,再加入该事件。"))
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise NotFound()
    case = locked
    if case.status not in OPEN_STATUSES:
        raise Conflict(_("该事件已办结或已关闭,不能加入,请直接上报。"))
    user = None
    phone_index = ""
    if on_behalf:
        phone = (phone or "").strip()
        if not phone:
            raise ValidationFailed(
                _("请填写诉求人电话,以便告知办理进展。"), details={"phone": [_("不能为空。")]}
            )
        try:
            phone = validate_contact_phone(phone)
        except ValidationError as e:
            raise ValidationFailed(e.messages[0], details={"phone": e.messages}) from None
        phone_index = blind_index(phone)
    else:
        user = actor
        account = getattr(actor, "portal_account", None)
        phone = account.phone if account is not None else ""
        name = ""
    if case.reporter_id and user is not None and case.reporter_id == user.pk:
        raise Conflict(_("这是您本人上报的事件。"))
    existing = CoReporter.objects.filter(
        Q(user=user) if user is not None else Q(phone_index=phone_index), case=case
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            co = CoReporter.objects.create(
                case=case,
                kind=CoReporter.Kind.JOINED,
                user=user,
                name=(name or "").strip()[:50],
                phone=phone,
                phone_index=phone_index,
                joined_by=actor if getattr(actor, "is_authenticated", False) else None,
                rate_code=tracking_code(),
            )
    except IntegrityError:  # a concurrent join of the same person
        return CoReporter.objects.get(
            Q(user=user) if user is not None else Q(phone_index=phone_index), case=case
        )
    _record_join(case, actor=actor, data={"co_reporter": co.pk, "on_behalf": on_behalf})
    return co
