"""Case hooks (settings.CIVICGRID_CASE_HOOKS): on the page of a property-matter case in a
compound with a property company, suggest dispatching it to that company, and name the
deliberation meeting item a commitment case comes from."""

from __future__ import annotations

from django.template.loader import render_to_string

from civicgrid.cases import workflow
from civicgrid.cases.permissions import may

from .models import AgendaItem
from .routing import compound_of, suggested_company


def case_panels(request, case) -> str:
    item = AgendaItem.objects.filter(case=case).select_related("meeting").first()
    company = suggested_company(case)
    can_dispatch = False
    if company is not None and case.handler_unit_id != company.pk:
        act = workflow.ACTIONS["dispatch"]
        can_dispatch = (
            case.status in act.sources and case.located and may(request.user, case, act.actor)
        )
    if item is None and not can_dispatch:
        return ""
    return render_to_string(
        "participation/_case_panel.html",
        {
            "case": case,
            "meeting_item": item,
            "company": company if can_dispatch else None,
            "compound": compound_of(case) if can_dispatch else None,
        },
        request=request,
    )
