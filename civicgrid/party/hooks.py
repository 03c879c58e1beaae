"""Points caused elsewhere, written inside the transaction of their cause.

- Case hooks (settings.CIVICGRID_CASE_HOOKS): a case reported by a party member or an
  information officer (the case's reporter login) earns CASE_REPORTED; a case fixed on the spot
  (三个第一: ``case_quick_handle`` writes its "resolve" row with ``data={"quick": True}``) earns
  CASE_FIXED_ON_SPOT for whoever fixed it; a case found invalid (不予受理) has both reversed.
- Visit hook (settings.CIVICGRID_VISIT_HOOKS, called by people.services.visit_record): a visit
  recorded by a member or an officer earns VISIT_RECORDED.

A login that is both a party member and an information officer earns on both ledgers (they rank
in different tables). Anonymous reports earn nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext

from civicgrid.people.models import InformationOfficer, PartyMember

from .choices import PointsEvent
from .points import points_award, points_reverse_source

_ACTIONS = frozenset({"report", "resolve", "invalidate"})


def _subjects(user_ids: set[int]) -> dict[int, list[tuple[str, object]]]:
    out: dict[int, list[tuple[str, object]]] = {}
    if not user_ids:
        return out
    for m in PartyMember.objects.filter(user_id__in=user_ids):
        out.setdefault(m.user_id, []).append(("member", m))
    for o in InformationOfficer.objects.filter(user_id__in=user_ids):
        out.setdefault(o.user_id, []).append(("officer", o))
    return out


def events_written(events: list) -> None:
    relevant = [e for e in events if e.action in _ACTIONS]
    if not relevant:
        return
    from civicgrid.cases.models import Case

    # Imported orders (12345, Open311) carry the importer as reporter, not the person who called.
    reports = [
        e
        for e in relevant
        if e.action == "report" and (e.data or {}).get("source") not in ("hotline", "open311")
    ]
    fixes = [
        e for e in relevant if e.action == "resolve" and (e.data or {}).get("quick") and e.actor_id
    ]
    invalid = [e for e in relevant if e.action == "invalidate"]
    reporters: dict[int, int] = {}
    if reports:
        reporters = dict(
            Case.objects.filter(
                pk__in={e.case_id for e in reports}, reporter__isnull=False
            ).values_list("id", "reporter_id")
        )
    users = set(reporters.values()) | {e.actor_id for e in fixes}
    subjects = _subjects(users) if users else {}
    for e in reports:
        for kind, obj in subjects.get(reporters.get(e.case_id), []):
            points_award(
                actor=e.actor,
                event=PointsEvent.CASE_REPORTED,
                source=f"cases.case:{e.case_id}",
                occurred_at=e.at,
                **{kind: obj},
            )
    for e in fixes:
        for kind, obj in subjects.get(e.actor_id, []):
            points_award(
                actor=e.actor,
                event=PointsEvent.CASE_FIXED_ON_SPOT,
                source=f"cases.case:{e.case_id}",
                occurred_at=e.at,
                **{kind: obj},
            )
    for e in invalid:
        reason = gettext("事件不予受理:%(n)s") % {"n": e.note or ""}
        for event in (PointsEvent.CASE_REPORTED, PointsEvent.CASE_FIXED_ON_SPOT):
            points_reverse_source(
                actor=e.actor, event=event, source=f"cases.case:{e.case_id}", reason=reason[:200]
            )


def visit_recorded(visit) -> None:
    for kind, obj in _subjects({visit.visitor_id}).get(visit.visitor_id, []):
        points_award(
            actor=visit.visitor,
            event=PointsEvent.VISIT_RECORDED,
            source=visit,
            occurred_at=visit.visited_at,
            **{kind: obj},
        )
