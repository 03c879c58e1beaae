"""Reads for the people registry. Every selector starts from the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from civicgrid.core import crypto
from civicgrid.core.validators import normalize_id_number, normalize_phone

from .models import PartyMember, Resident


def resident_list(*, user) -> QuerySet[Resident]:
    return (
        Resident.objects.restrict(user)
        .select_related("grid", "area", "household")
        .prefetch_related("special_groups")
        .order_by("grid__code", "id")
    )


def resident_search(*, user, q: str) -> QuerySet[Resident]:
    """Name (prefix), or phone / ID number (exact, through the keyed-hash index)."""
    qs = resident_list(user=user)
    q = (q or "").strip()
    if not q:
        return qs.none()
    phone = normalize_phone(q)
    if phone.isdigit() and len(phone) == 11:
        return qs.filter(phone_index=crypto.blind_index(phone))
    idn = normalize_id_number(q)
    if len(idn) == 18 and idn[:17].isdigit():
        return qs.filter(id_number_index=crypto.blind_index(idn))
    return qs.filter(name__startswith=q)


def resident_get(*, user, pk: int) -> Resident | None:
    return (
        Resident.objects.restrict(user)
        .select_related("grid", "area", "household", "household__building")
        .prefetch_related("special_groups")
        .filter(pk=pk)
        .first()
    )


def party_member_list(*, user) -> QuerySet[PartyMember]:
    return PartyMember.objects.restrict(user).select_related("organization", "work_unit", "area", "grid")
