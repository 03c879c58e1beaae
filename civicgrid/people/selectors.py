"""Reads for the people registry. Every selector starts from the user's scope."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, QuerySet

from civicgrid.core import crypto
from civicgrid.core.errors import NotFound
from civicgrid.core.validators import normalize_id_number, normalize_phone

from .choices import PartyMemberRole
from .models import Household, PartyMember, Resident, Visit

# Role filter value -> boolean field on PartyMember.
ROLE_FLAGS = {
    PartyMemberRole.CENTRAL_HOUSEHOLD: "is_central_household",
    PartyMemberRole.BUILDING_CHIEF: "is_building_chief",
    PartyMemberRole.LANE_CHIEF: "is_lane_chief",
    PartyMemberRole.PARTY_LANDLORD: "is_party_landlord",
}


def resident_list(*, user, grid=None, attention_level: str = "") -> QuerySet[Resident]:
    qs = (
        Resident.objects.restrict(user)
        .select_related("grid", "area", "household")
        .prefetch_related("special_groups")
        .order_by("grid__code", "id")
    )
    if grid is not None:
        qs = qs.filter(grid=grid)
    if attention_level:
        qs = qs.filter(attention_level=attention_level)
    return qs


def search_kind(q: str) -> str:
    """What a search string is taken for: "phone", "id_number", "name" or "" (empty)."""
    q = (q or "").strip()
    if not q:
        return ""
    phone = normalize_phone(q)
    if phone.isdigit() and len(phone) == 11:
        return "phone"
    idn = normalize_id_number(q)
    if len(idn) == 18 and idn[:17].isdigit():
        return "id_number"
    return "name"


def resident_search(*, user, q: str) -> QuerySet[Resident]:
    """Name (prefix), or phone / ID number (exact, through the keyed-hash index)."""
    qs = resident_list(user=user)
    q = (q or "").strip()
    kind = search_kind(q)
    if not kind:
        return qs.none()
    if kind == "phone":
        return qs.filter(phone_index=crypto.blind_index(normalize_phone(q)))
    if kind == "id_number":
        return qs.filter(id_number_index=crypto.blind_index(normalize_id_number(q)))
    return qs.filter(name__startswith=q)


def resident_get(*, user, pk: int) -> Resident | None:
    return (
        Resident.objects.restrict(user)
        .select_related("grid", "area", "household", "household__building")
        .prefetch_related("special_groups")
        .filter(pk=pk)
        .first()
    )


def resident_get_or_404(*, user, pk: int) -> Resident:
    resident = resident_get(user=user, pk=pk)
    if resident is None:
        raise NotFound()
    return resident


def household_members(*, user, resident: Resident) -> QuerySet[Resident]:
    if not resident.household_id:
        return Resident.objects.none()
    return (
        Resident.objects.restrict(user)
        .filter(household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .order_by("id")
    )


def visit_list(*, user, resident: Resident) -> QuerySet[Visit]:
    return Visit.objects.restrict(user).filter(resident=resident).select_related("visitor")


def household_list(*, user, grid=None) -> QuerySet[Household]:
    qs = (
        Household.objects.restrict(user)
        .select_related("building")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("building__name", "number")
    )
    if grid is not None:
        qs = qs.filter(grid=grid)
    return qs


def party_member_list(
    *, user, organization=None, roles=(), q: str = "", grid=None, work_unit=None
) -> QuerySet[PartyMember]:
    qs = (
        PartyMember.objects.restrict(user)
        .select_related("organization", "work_unit", "area", "grid")
        .order_by("organization__path", "id")
    )
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    for role in roles:
        if role in ROLE_FLAGS:
            qs = qs.filter(**{ROLE_FLAGS[role]: True})
    if q:
        qs = qs.filter(name__startswith=q.strip())
    if grid is not None:
        qs = qs.filter(grid=grid)
    if work_unit is not None:
        qs = qs.filter(work_unit=work_unit)
    return qs


def party_member_get(*, user, pk) -> PartyMember:
    member = (
        PartyMember.objects.restrict(user)
        .select_related("organization", "work_unit", "area", "grid", "resident")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise NotFound()
    return member


def served_households(*, user, member: PartyMember) -> QuerySet[Household]:
    return Household.objects.restrict(user).filter(central_households=member).order_by("number")


def people_counts(*, user) -> tuple[dict[int, dict], dict[int, dict]]:
    """Households, residents and party members in scope, by community and by grid (3 queries)."""
    by_community: dict[int, dict] = defaultdict(dict)
    by_grid: dict[int, dict] = defaultdict(dict)
    sources = (
        ("households", Household.objects.restrict(user)),
        ("residents", Resident.objects.restrict(user)),
        ("party_members", PartyMember.objects.restrict(user)),
    )
    for key, qs in sources:
        for row in qs.order_by().values("area_id", "grid_id").annotate(n=Count("id")):
            c = by_community[row["area_id"]]
            c[key] = c.get(key, 0) + row["n"]
            if row["grid_id"]:
                g = by_grid[row["grid_id"]]
                g[key] = g.get(key, 0) + row["n"]
    return dict(by_community), dict(by_grid)


def attention_counts(*, user) -> dict[str, int]:
    rows = (
        Resident.objects.restrict(user).order_by().values("attention_level").annotate(n=Count("id"))
    )
    return {r["attention_level"]: r["n"] for r in rows}


def member_counts_by_organization(*, user) -> dict[int, int]:
    """Visible party members per organisation (direct members only)."""
    rows = (
        PartyMember.objects.restrict(user)
        .order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
    )
    return {r["organization_id"]: r["n"] for r in rows}
