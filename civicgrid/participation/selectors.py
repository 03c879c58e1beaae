"""Reads of the participation app. Staff reads start from `.restrict(user)`; the public reads
return only published rows and no personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from civicgrid.cases.choices import Status
from civicgrid.geo.models import Area

from .choices import ItemOutcome, MeetingStatus, VoteStatus
from .models import (
    AgendaItem,
    AssessmentPublication,
    Compound,
    Meeting,
    Project,
    Proposal,
    Vote,
)

DONE = [Status.RESOLVED, Status.RATED, Status.CLOSED]


def meeting_list(*, user, params=None) -> QuerySet[Meeting]:
    params = params or {}
    qs = (
        Meeting.objects.restrict(user)
        .select_related("area", "compound")
        .annotate(
            n_items=Count("items"),
            n_pending=Count("items", filter=Q(items__outcome=ItemOutcome.PENDING)),
        )
    )
    if params.get("status") in MeetingStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    return qs.order_by("-scheduled_at", "-id")


def _items_prefetch():
    return Prefetch(
        "items",
        queryset=AgendaItem.objects.select_related(
            "case", "owner_unit", "owner_area", "proposal", "source_case"
        ).order_by("position", "id"),
    )


def meeting_get(*, user, pk: int) -> Meeting | None:
    return (
        Meeting.objects.restrict(user)
        .select_related("area", "compound", "created_by")
        .prefetch_related(_items_prefetch(), "invitees")
        .filter(pk=pk)
        .first()
    )


def proposal_list(*, user, open_only: bool = False) -> QuerySet[Proposal]:
    qs = Proposal.objects.restrict(user).select_related("area", "compound")
    if open_only:
        qs = qs.filter(status="open")
    return qs


def compounds(*, user) -> QuerySet[Compound]:
    return (
        Compound.objects.restrict(user)
        .select_related("community", "company")
        .prefetch_related("grid_links__grid")
    )


# --- public -----------------------------------------------------------------------------


def public_meeting(*, pk: int) -> Meeting | None:
    return (
        Meeting.objects.filter(pk=pk, status=MeetingStatus.PUBLISHED)
        .select_related("area", "compound")
        .prefetch_related(_items_prefetch())
        .first()
    )


def public_meetings(*, community: Area) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(
            status=MeetingStatus.PUBLISHED, area__path__startswith=community.path
        )
        .select_related("area", "compound")
        .annotate(n_items=Count("items"))
        .order_by("-scheduled_at")
    )


def public_communities() -> QuerySet[Area]:
    return (
        Area.objects.filter(meetings__status=MeetingStatus.PUBLISHED)
        .annotate(n=Count("meetings", filter=Q(meetings__status=MeetingStatus.PUBLISHED)))
        .order_by("path")
    )


def public_publications() -> QuerySet[AssessmentPublication]:
    return AssessmentPublication.objects.select_related("area").order_by("-month", "area__path")


def public_votes() -> QuerySet[Vote]:
    return Vote.objects.filter(status=VoteStatus.PUBLISHED).select_related("area")


def public_vote(*, pk: int) -> Vote | None:
    return (
        Vote.objects.filter(pk=pk, status=VoteStatus.PUBLISHED)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "projects",
                queryset=Project.objects.select_related("area")
                .prefetch_related("milestones")
                .order_by("rank", "id"),
            )
        )
        .first()
    )


# --- counts -----------------------------------------------------------------------------


@dataclass
class MeetingFigures:
    key: int
    name: str
    held: int = 0
    coordinated: int = 0
    solved: int = 0
    committed: int = 0
    committed_done: int = 0
    attendees: int = 0
    kinds: dict = field(default_factory=dict)


def meeting_figures(
    *, user, root: Area, start: dt.datetime, end: dt.datetime
) -> tuple[MeetingFigures, list[MeetingFigures]]:
    """Meetings held and issues coordinated in [start, end) under `root`, in total and per
    child area (2 queries): solved on the spot vs. committed, and commitments resolved since."""
    children = list(Area.objects.restrict(user).filter(parent=root).order_by("code"))
    rows = {c.pk: MeetingFigures(key=c.pk, name=c.name) for c in children}
    by_prefix = [(c.path, rows[c.pk]) for c in children]
    total = MeetingFigures(key=root.pk, name=root.name)
    meetings = (
        Meeting.objects.restrict(user)
        .filter(
            area__path__startswith=root.path,
            status__in=[MeetingStatus.HELD, MeetingStatus.PUBLISHED],
            held_at__gte=start,
            held_at__lt=end,
        )
        .values("id", "area__path", "kind", "attendee_count")
        .annotate(
            solved=Count("items", filter=Q(items__outcome=ItemOutcome.SOLVED)),
            committed=Count("items", filter=Q(items__outcome=ItemOutcome.COMMITMENT)),
            done=Count(
                "items",
                filter=Q(items__outcome=ItemOutcome.COMMITMENT, items__case__status__in=DONE),
            ),
        )
    )
    for m in meetings:
        targets = [total] + [r for p, r in by_prefix if m["area__path"].startswith(p)]
        for t in targets:
            t.held += 1
            t.solved += m["solved"]
            t.committed += m["committed"]
            t.coordinated += m["solved"] + m["committed"]
            t.committed_done += m["done"]
            t.attendees += m["attendee_count"]
            t.kinds[m["kind"]] = t.kinds.get(m["kind"], 0) + 1
    return total, list(rows.values())
