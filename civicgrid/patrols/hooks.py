"""Case hooks (settings.CIVICGRID_CASE_HOOKS): a case reported by a worker while their patrol is
open is attached to that patrol, whichever page raised it; the case page names the patrol or
the leader's visit a case came from."""

from __future__ import annotations

from django.template.loader import render_to_string

from .choices import PatrolStatus


def events_written(events: list) -> None:
    actors = {e.actor_id: e.case_id for e in events if e.action == "report" and e.actor_id}
    if not actors:
        return
    from .models import Patrol, PatrolCase

    open_by_worker = dict(
        Patrol.objects.filter(worker_id__in=list(actors), status=PatrolStatus.OPEN).values_list(
            "worker_id", "id"
        )
    )
    links = [
        PatrolCase(patrol_id=open_by_worker[e.actor_id], case_id=e.case_id)
        for e in events
        if e.action == "report" and e.actor_id in open_by_worker
    ]
    if links:
        PatrolCase.objects.bulk_create(links, ignore_conflicts=True)


def case_panels(request, case) -> str:
    from .models import ContactVisitCase, PatrolCase

    patrol_link = PatrolCase.objects.filter(case=case).select_related("patrol__grid").first()
    visit_link = None
    if patrol_link is None and case.source == "leader_visit":
        visit_link = ContactVisitCase.objects.filter(case=case).select_related("visit").first()
    if patrol_link is None and visit_link is None:
        return ""
    return render_to_string(
        "patrols/_case_panel.html",
        {
            "patrol": patrol_link.patrol if patrol_link else None,
            "visit": visit_link.visit if visit_link else None,
        },
        request=request,
    )
