"""Case hook (settings.CIVICGRID_CASE_HOOKS, see civicgrid/cases/hooks.py): record the
classifier's suggestion when a case is raised, and the dispatcher's confirmation of its item
when the case is accepted or dispatched (in the transaction that wrote the ledger rows); and
the case page's panel to change the item."""

from __future__ import annotations

from . import services


def events_written(events: list) -> None:
    reported, auto, confirmed = [], {}, {}
    for ev in events:
        if ev.action == "report":
            info = (ev.data or {}).get("classified")
            if info:
                auto[ev.case_id] = info
            elif (ev.data or {}).get("source") != "hotline":
                reported.append(ev)
        elif ev.action in services.CONFIRMING_ACTIONS and ev.actor_id is not None:
            confirmed[ev.case_id] = ev.actor_id
    if reported or auto:
        services.record_reported([_case(ev) for ev in reported], auto)
    if confirmed:
        services.record_confirmed(confirmed)


def _case(ev):
    # The services write report rows with the case object attached; bulk rows carry only ids.
    if "case" in ev._state.fields_cache:
        return ev.case
    from civicgrid.cases.models import Case

    return Case.objects.only("id", "text", "item_id", "source", "reporter_id").get(pk=ev.case_id)


def case_panels(request, case) -> str:
    """The case page's form to change the item, for users who may dispatch the case."""
    from .views import reclassify_panel

    return reclassify_panel(request, case)
