"""Public-welfare rounds, projects with funds raised, markets."""

from __future__ import annotations

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ..models import Donation, WelfareMarket, WelfareProject, WelfareRound


def round_list(*, user) -> QuerySet[WelfareRound]:
    return (
        WelfareRound.objects.restrict(user)
        .select_related("area")
        .annotate(n_projects=Count("projects"))
    )


def project_list(*, user, round: WelfareRound | None = None) -> QuerySet[WelfareProject]:
    qs = WelfareProject.objects.restrict(user).select_related("organization", "area", "round")
    if round is not None:
        qs = qs.filter(round=round)
    return qs.annotate(
        raised=Coalesce(
            Sum("donations__amount"),
            Value(0),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
    )


def donation_list(*, user) -> QuerySet[Donation]:
    return Donation.objects.restrict(user).select_related("project", "donor_unit")


def market_list(*, user, round: WelfareRound | None = None) -> QuerySet[WelfareMarket]:
    qs = (
        WelfareMarket.objects.restrict(user)
        .select_related("round", "area")
        .prefetch_related("stalls__organization", "stalls__project")
    )
    return qs.filter(round=round) if round is not None else qs
