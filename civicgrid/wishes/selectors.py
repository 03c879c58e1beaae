"""Reads for wishes, claims, offers, agreements and pairings. Staff reads start from
``restrict(user)``; a party member's reads start from the member's own communities."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from civicgrid.core.errors import NotFound
from civicgrid.geo.models import Area
from civicgrid.people.models import Visit

from .choices import ACTIVE_CLAIM_STATUSES, ClaimStatus, WishKind, WishStatus
from .models import Agreement, AgreementItem, Claim, Offer, Pairing, Wish, WishEvent

MEMBER_KINDS = (WishKind.MICRO_WISH, WishKind.NEED, WishKind.SERVICE_ITEM)


def _active_claim_prefetch():
    return Prefetch(
        "claims",
        queryset=Claim.objects.filter(status__in=ACTIVE_CLAIM_STATUSES)
        .select_related("member", "unit")
        .only(
            "id",
            "wish_id",
            "status",
            "deadline",
            "claimant_kind",
            "member_id",
            "unit_id",
            "rating",
            "rating_comment",
            "member__name",
            "unit__name",
        ),
        to_attr="active_claims",
    )


def wish_list(
    *, user, status: str = "", kind: str = "", grid: str = "", q: str = "", area: str = ""
):
    """The community's wish list (staff): their scope, newest first, with the active claim."""
    qs = (
        Wish.objects.restrict(user)
        .select_related("area", "grid")
        .only(
            "id",
            "kind",
            "title",
            "status",
            "created_at",
            "area_id",
            "grid_id",
            "unit_id",
            "area__name",
            "grid__name",
        )
    )
    if status in WishStatus.values:
        qs = qs.filter(status=status)
    if kind in WishKind.values:
        qs = qs.filter(kind=kind)
    if grid.isdigit():
        qs = qs.filter(grid_id=int(grid))
    if area.isdigit():
        qs = qs.filter(area_id=int(area))
    if q:
        qs = qs.filter(title__icontains=q[:50])
    return qs.prefetch_related(_active_claim_prefetch()).order_by("-created_at", "-id")


def wish_get(*, user, pk: int) -> Wish:
    wish = (
        Wish.objects.restrict(user)
        .select_related("area", "grid", "unit", "resident", "case")
        .filter(pk=pk)
        .first()
    )
    if wish is None:
        raise NotFound()
    return wish


def wish_events(wish: Wish):
    return WishEvent.objects.filter(wish=wish).select_related("actor", "claim").order_by("at", "id")


def wish_claims(wish: Wish):
    return Claim.objects.filter(wish=wish).select_related("member", "unit").order_by("-claimed_at")


def matching_offers(wish: Wish, limit: int = 10):
    """供需配对: active offers of units in the wish's community, same category first."""
    today = timezone.localdate()
    return (
        Offer.objects.filter(area_id=wish.area_id, active=True)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .select_related("unit")
        .order_by(
            Case(
                When(category=wish.category, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ).desc(),
            "-created_at",
        )[:limit]
    )


# --- party members -------------------------------------------------------------------------


def member_communities(member) -> list[int]:
    """The communities a member serves: where they live and where their work unit is."""
    ids = [member.area_id]
    if member.work_unit_id and member.work_unit.area_id not in ids:
        ids.append(member.work_unit.area_id)
    return [i for i in ids if i]


def open_wishes_for_member(*, member, near: bool = False, limit: int = 50):
    """Published, unclaimed wishes a member may claim: in the grid they live in ("near me") or
    in their communities. Only public fields are shown (no resident)."""
    qs = Wish.objects.filter(status=WishStatus.OPEN, kind__in=MEMBER_KINDS)
    if near and member.grid_id:
        qs = qs.filter(grid_id=member.grid_id)
    else:
        qs = qs.filter(area_id__in=member_communities(member))
    return (
        qs.select_related("area", "grid")
        .only(
            "id",
            "kind",
            "category",
            "title",
            "description",
            "status",
            "created_at",
            "wanted_by",
            "owner_label",
            "area__name",
            "grid__name",
            "unit_id",
        )
        .order_by("-created_at", "-id")[:limit]
    )


def open_wishes_for_units(*, units, limit: int = 50):
    """Open items a unit may lead: service items, needs and micro-wishes in its community."""
    return (
        Wish.objects.filter(
            status=WishStatus.OPEN, kind__in=MEMBER_KINDS, area_id__in={u.area_id for u in units}
        )
        .select_related("area", "grid")
        .order_by("-created_at", "-id")[:limit]
    )


def claimable_wish_get(*, member, units, pk: int) -> Wish:
    """A wish a member or unit user may see: open in their communities, or claimed by them."""
    areas = set(member_communities(member)) if member is not None else set()
    areas |= {u.area_id for u in units}
    mine = Q(pk__in=Claim.objects.filter(_own_claims_q(member, units)).values("wish_id"))
    wish = (
        Wish.objects.filter(pk=pk)
        .filter(Q(status=WishStatus.OPEN, kind__in=MEMBER_KINDS, area_id__in=areas) | mine)
        .select_related("area", "grid")
        .first()
    )
    if wish is None:
        raise NotFound()
    return wish


def _own_claims_q(member, units) -> Q:
    parts = []
    if member is not None:
        parts.append(Q(member_id=member.pk))
    if units:
        parts.append(Q(unit_id__in=[u.pk for u in units]))
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def own_claim_get(*, member, units, pk: int) -> Claim | None:
    return Claim.objects.filter(_own_claims_q(member, units), pk=pk).select_related("wish").first()


def claims_of(*, member, units, limit: int = 50):
    return (
        Claim.objects.filter(_own_claims_q(member, units))
        .select_related("wish", "wish__area", "member", "unit")
        .order_by("-claimed_at")[:limit]
    )


# --- residents -----------------------------------------------------------------------------


def resident_wishes(*, user):
    account = getattr(user, "portal_account", None)
    q = Q(owner=user)
    if account is not None and account.phone_index:
        q |= Q(owner_phone_index=account.phone_index)
    return (
        Wish.objects.filter(q)
        .select_related("area")
        .prefetch_related(_active_claim_prefetch())
        .order_by("-created_at")[:100]
    )


def resident_wish_get(*, user, pk: int) -> Wish:
    for wish in resident_wishes(user=user):
        if wish.pk == pk:
            return wish
    raise NotFound()


# --- offers, agreements, pairings ----------------------------------------------------------


def offer_list(*, user, area: str = "", kind: str = ""):
    qs = Offer.objects.restrict(user).select_related("unit", "area")
    if area.isdigit():
        qs = qs.filter(area_id=int(area))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-active", "-created_at")


def agreement_list(*, user, year: int | None = None):
    qs = Agreement.objects.restrict(user).select_related("unit", "area")
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(
        n_items=Count("items"),
        n_done=Count("items", filter=Q(items__progress=100)),
        avg_progress=Avg("items__progress"),
    ).order_by("-year", "area__name", "unit__name")


def agreement_get(*, user, pk: int) -> Agreement:
    agreement = (
        Agreement.objects.restrict(user)
        .select_related("unit", "area")
        .prefetch_related(
            Prefetch("items", queryset=AgreementItem.objects.select_related("owner_unit"))
        )
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise NotFound()
    return agreement


def pairing_list(*, user, active_only: bool = False):
    qs = Pairing.objects.restrict(user).select_related("member", "resident", "area", "grid")
    if active_only:
        qs = qs.filter(until__isnull=True)
    far = Value(dt.date(9999, 12, 31))
    visits = (
        Visit.objects.filter(
            resident_id=OuterRef("resident_id"),
            visitor_id=OuterRef("member__user_id"),
            visited_at__date__gte=OuterRef("since"),
            visited_at__date__lte=Coalesce(OuterRef("until"), far),
        )
        .order_by()
        .values("resident_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return qs.annotate(
        visits=Coalesce(Subquery(visits, output_field=IntegerField()), Value(0))
    ).order_by("-since", "-id")


# --- completion rates ------------------------------------------------------------------------


def completion_rates(*, user, year: int) -> dict:
    """Per unit and per community: agreement items done / all (and overdue), claims confirmed /
    taken in the year. Everything inside the user's scope."""
    today = timezone.localdate()
    items = AgreementItem.objects.restrict(user).filter(agreement__year=year)
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    claims = Claim.objects.restrict(user).filter(claimed_at__gte=start, claimed_at__lt=end)

    def rows(field_id: str, field_name: str, claim_field: str):
        by = {}
        for r in (
            items.values(field_id, field_name)
            .annotate(
                total=Count("pk"),
                done=Count("pk", filter=Q(progress=100)),
                overdue=Count("pk", filter=Q(progress__lt=100, deadline__lt=today)),
                avg=Avg("progress"),
            )
            .order_by()
        ):
            by[r[field_id]] = {
                "id": r[field_id],
                "name": r[field_name],
                "items": r["total"],
                "items_done": r["done"],
                "items_overdue": r["overdue"],
                "avg_progress": round(float(r["avg"] or 0), 1),
                "claims": 0,
                "claims_confirmed": 0,
            }
        for r in (
            claims.filter(**{f"{claim_field}__isnull": False})
            .values(claim_field, f"{claim_field}__name")
            .annotate(
                total=Count("pk"), confirmed=Count("pk", filter=Q(status=ClaimStatus.CONFIRMED))
            )
            .order_by()
        ):
            row = by.setdefault(
                r[claim_field],
                {
                    "id": r[claim_field],
                    "name": r[f"{claim_field}__name"],
                    "items": 0,
                    "items_done": 0,
                    "items_overdue": 0,
                    "avg_progress": 0.0,
                    "claims": 0,
                    "claims_confirmed": 0,
                },
            )
            row["claims"], row["claims_confirmed"] = r["total"], r["confirmed"]
        for row in by.values():
            row["item_rate"] = (
                round(100 * row["items_done"] / row["items"], 1) if row["items"] else None
            )
            row["claim_rate"] = (
                round(100 * row["claims_confirmed"] / row["claims"], 1) if row["claims"] else None
            )
        return sorted(by.values(), key=lambda r: (-(r["item_rate"] or 0), r["name"]))

    units = rows("agreement__unit_id", "agreement__unit__name", "unit")
    communities = rows("agreement__area_id", "agreement__area__name", "area")
    return {"year": year, "units": units, "communities": communities}


def years_available(*, user) -> list[int]:
    this = timezone.localdate().year
    years = set(Agreement.objects.restrict(user).values_list("year", flat=True).distinct())
    years.add(this)
    return sorted(years, reverse=True)


def communities_for(user, action: str = "view"):
    return (
        Area.objects.restrict(user, action)
        .filter(level=Area.Level.COMMUNITY)
        .only("id", "name", "code")
        .order_by("code")
    )
