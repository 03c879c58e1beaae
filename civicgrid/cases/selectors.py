"""Reads for cases: work queues per role, the case page with its ledger. All start from restrict()."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.orgs.choices import Role

from .choices import SlaState, Status
from .models import Case, CaseEvent, WhistleResponse, open_q
from .search import text_filter

QUEUES = {
    "mine": _("我的网格"),
    "dispatch": _("待派单"),
    "accept": _("待签收"),
    "in_progress": _("办理中"),
    "due_soon": _("临期"),
    "overdue": _("超期"),
    "supervised": _("督办"),
    "whistled": _("吹哨"),
    "unlocated": _("待定位"),
    "all": _("全部"),
}

SORTS = {
    "deadline": ("resolve_due", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
}


def case_base(*, user) -> QuerySet[Case]:
    return Case.objects.restrict(user).select_related(
        "item", "area", "grid", "handler_area", "handler_unit"
    )


def _handler_q(user) -> Q:
    scope = get_scope(user, CHANGE)
    view = get_scope(user)
    q = Q(handler_unit_id__in=view.unit_ids) if view.unit_ids else Q(pk__in=[])
    if scope.area_ids:
        q |= Q(handler_unit__isnull=True, handler_area_id__in=scope.area_ids)
    if scope.grid_ids:
        q |= Q(handler_unit__isnull=True, grid_id__in=scope.grid_ids)
    return q


def _dispatcher_q(user) -> Q:
    scope = get_scope(user, CHANGE)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_ids and scope.roles & {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.GRID_CHIEF}:
        # The tier that holds the case; or, while a department is only the proposed or the
        # returning handler, the community the case is in (see permissions.is_dispatcher).
        q |= Q(handler_area_id__in=scope.area_ids) | Q(
            handler_area__isnull=True, area_id__in=scope.area_ids
        )
    return q


def queue_q(*, user, name: str) -> Q:
    """The condition of a queue, on top of the user's restricted cases."""
    is_open = open_q()  # also on the narrower queues, so that SQLite's partial indexes serve them
    if name == "mine":
        return is_open & Q(grid_id__in=get_scope(user).grid_ids)
    if name == "dispatch":
        waiting = [Status.REPORTED, Status.ACCEPTED, Status.RETURNED, Status.ESCALATED]
        return is_open & _dispatcher_q(user) & Q(status__in=waiting, located=True)
    if name == "accept":
        return is_open & _handler_q(user) & Q(status__in=[Status.DISPATCHED, Status.REOPENED])
    if name == "in_progress":
        return is_open & _handler_q(user) & Q(status=Status.IN_PROGRESS)
    if name == "due_soon":
        return is_open & Q(sla_state=SlaState.WARNING)
    if name == "overdue":
        return is_open & Q(sla_state=SlaState.OVERDUE)
    if name == "supervised":
        return is_open & Q(supervised=True)
    if name == "whistled":
        units = get_scope(user).unit_ids
        calls = WhistleResponse.objects.filter(Q(unit_id__in=units) | Q(call__blown_by=user))
        return Q(pk__in=calls.values("call__case_id"))
    if name == "unlocated":
        return is_open & Q(located=False)
    return Q()


def queue(*, user, name: str) -> QuerySet[Case]:
    return case_base(user=user).filter(queue_q(user=user, name=name))


def apply_filters(qs: QuerySet[Case], params) -> QuerySet[Case]:
    status = params.get("status")
    if status in Status.values:
        qs = qs.filter(status=status)
    if params.get("sla") in SlaState.values:
        qs = qs.filter(sla_state=params["sla"])
    if params.get("domain"):
        qs = qs.filter(item__domain=params["domain"])
    if params.get("source"):
        qs = qs.filter(source=params["source"])
    qs = text_filter(qs, params.get("q") or "")
    sort = SORTS.get(params.get("sort") or "deadline", SORTS["deadline"])
    return qs.order_by(*sort)


def case_get(*, user, pk: int) -> Case | None:
    return (
        case_base(user=user)
        .select_related("merged_into", "suggested_grid", "reporter")
        .filter(pk=pk)
        .first()
    )


def case_ledger(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("attachments").order_by("at", "id")


def queue_counts(*, user) -> dict[str, int]:
    """Every queue's count: the open-case queues in one query over open cases only (served
    by the partial indexes), the whistle queue in a second one."""
    names = [n for n in QUEUES if n not in ("all", "whistled")]
    open_cases = Case.objects.restrict(user).filter(open_q())
    counts = open_cases.aggregate(
        **{n: Count("id", filter=queue_q(user=user, name=n)) for n in names}
    )
    result = {n: counts[n] or 0 for n in names}
    result["whistled"] = queue(user=user, name="whistled").count()
    return {n: result[n] for n in QUEUES if n != "all"}
