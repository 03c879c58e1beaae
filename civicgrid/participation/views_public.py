"""Public pages for residents: published meeting outcomes, red/yellow lists, vote results.
No personal data: no invitees, no proposers, no reporters; only titles, outcomes, statuses."""

from __future__ import annotations

from django.shortcuts import render

from civicgrid.core.errors import NotFound
from civicgrid.geo.models import Area

from . import selectors
from .models import AssessmentPublication


def index(request):
    return render(
        request,
        "participation/public/index.html",
        {
            "communities": selectors.public_communities()[:300],
            "publications": selectors.public_publications()[:24],
            "votes": selectors.public_votes()[:20],
        },
    )


def community_meetings(request, pk: int):
    area = Area.objects.filter(pk=pk).first()
    if area is None:
        raise NotFound()
    return render(
        request,
        "participation/public/meetings.html",
        {"area": area, "meetings": selectors.public_meetings(community=area)[:100]},
    )


def meeting(request, pk: int):
    m = selectors.public_meeting(pk=pk)
    if m is None:
        raise NotFound()
    return render(
        request, "participation/public/meeting.html", {"meeting": m, "items": list(m.items.all())}
    )


def assessment(request, pk: int):
    pub = AssessmentPublication.objects.filter(pk=pk).select_related("area").first()
    if pub is None:
        raise NotFound()
    results = list(pub.results.all())
    return render(
        request,
        "participation/public/assessment.html",
        {
            "pub": pub,
            "red": [r for r in results if r.list_kind == "red"],
            "yellow": [r for r in results if r.list_kind == "yellow"],
            "results": results,
        },
    )


def vote(request, pk: int):
    v = selectors.public_vote(pk=pk)
    if v is None:
        raise NotFound()
    projects = list(v.projects.all())
    return render(
        request,
        "participation/public/vote.html",
        {
            "vote": v,
            "projects": projects,
            "chosen": [p for p in projects if p.chosen],
            "chart": {"names": [p.title for p in projects], "votes": [p.votes for p in projects]},
        },
    )
