"""Reads: the archived reports and the areas a user may make reports for."""

from __future__ import annotations

from civicgrid.geo.models import Area

from .models import Report


def report_list(*, user, kind: str | None = None):
    qs = Report.objects.restrict(user).select_related("area", "created_by")
    return qs.filter(kind=kind) if kind else qs


def report_get(*, user, pk: int) -> Report | None:
    return report_list(user=user).filter(pk=pk).first()


def report_areas(*, user):
    return (
        Area.objects.restrict(user)
        .filter(level__in=[Area.Level.COUNTY, Area.Level.STREET, Area.Level.COMMUNITY])
        .order_by("path")
    )
