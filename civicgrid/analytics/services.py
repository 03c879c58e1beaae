"""Writes of the analytics app: co-reporters' ratings, and deciding on hotspot alerts
(dismiss with a reason, or open a case from one through `case_create`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from civicgrid.cases import hooks
from civicgrid.cases.choices import Rating, Source, Status
from civicgrid.cases.models import CaseEvent, MatterItem
from civicgrid.cases.services import case_create
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE

from .models import CoReporter, Hotspot
from .selectors import may_decide

CO_RATINGS = [
    (Rating.SATISFIED, _l("满意")),
    (Rating.BASICALLY, _l("基本满意")),
    (Rating.DISSATISFIED, _l("不满意")),
]
RATABLE = (Status.RESOLVED, Status.RATED, Status.CLOSED)
# Steps a co-reporter may see on the rating page (as the portal's tracking page shows them).
PUBLIC_STEPS = ("report", "accept", "dispatch", "start", "resolve", "rate", "close", "escalate")
MAX_REASON = 500


def public_steps(case):
    return case.events.filter(action__in=PUBLIC_STEPS).order_by("at", "id")


def may_co_rate(co: CoReporter) -> bool:
    return co.case.status in RATABLE and not co.rated_at


@transaction.atomic
def co_reporter_rate(*, co: CoReporter, rating: str, comment: str = "") -> CoReporter:
    """Record a co-reporter's rating of the result, with a ledger row on the case. It does not
    change the case's state: the loop follows the rating of whoever raised the case."""
    co = CoReporter.objects.select_for_update().select_related("case").get(pk=co.pk)
    if rating not in dict(CO_RATINGS):
        raise ValidationFailed(
            _("请选择满意、基本满意或不满意。"), details={"rating": [_("必填。")]}
        )
    if co.rated_at:
        raise Conflict(_("您已评价过。"))
    if co.case.status not in RATABLE:
        raise Conflict(_("该事件尚未办结,办结后再评价。"))
    comment = (comment or "").strip()[:1000]
    co.rating, co.rating_comment, co.rated_at = rating, comment, timezone.now()
    co.save(update_fields=["rating", "rating_comment", "rated_at"])
    event = CaseEvent.objects.create(
        case=co.case,
        actor=co.user,
        action="co_rate",
        from_status=co.case.status,
        to_status=co.case.status,
        note=comment,
        data={"rating": rating, "co_reporter": co.pk, "kind": co.kind},
    )
    hooks.events_written([event])
    return co


def _decidable(actor, hotspot: Hotspot) -> Hotspot:
    locked = Hotspot.objects.select_for_update().filter(pk=hotspot.pk).first()
    if locked is None or not Hotspot.objects.restrict(actor).filter(pk=hotspot.pk).exists():
        raise NotFound()
    if (
        not may_decide(actor)
        or not Hotspot.objects.restrict(actor, CHANGE).filter(pk=hotspot.pk).exists()
    ):
        raise PermissionDenied(_("您无权处理该预警。"))
    if locked.state != Hotspot.State.OPEN:
        raise Conflict(_("该预警已处理(当前状态:%(s)s)。") % {"s": locked.get_state_display()})
    return locked


@transaction.atomic
def hotspot_dismiss(*, actor, hotspot: Hotspot, reason: str) -> Hotspot:
    """Mark an alert as not a problem (or already known), with the reason."""
    hotspot = _decidable(actor, hotspot)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写排除理由。"), details={"reason": [_("不能为空。")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("排除理由不能超过 %(n)d 字。") % {"n": MAX_REASON})
    hotspot.state, hotspot.reason = Hotspot.State.DISMISSED, reason
    hotspot.decided_by, hotspot.decided_at = actor, timezone.now()
    hotspot.save()
    return hotspot


@transaction.atomic
def hotspot_open_case(*, actor, hotspot: Hotspot, item: MatterItem, text: str):
    """Raise a case from an alert (through `case_create`), at the centre of its cases, and link
    the two both ways: the alert names the case, the case's ledger names the alert."""
    hotspot = _decidable(actor, hotspot)
    if hotspot.item_id and item.pk != hotspot.item_id and item.group_id != hotspot.item.group_id:
        raise ValidationFailed(_("请选择与预警相同分类的事项。"))
    if hotspot.group_id and not hotspot.item_id and item.group_id != hotspot.group_id:
        raise ValidationFailed(_("请选择与预警相同分类的事项。"))
    centre = (hotspot.evidence or {}).get("centroid")
    if not centre and not hotspot.grid_id and hotspot.level != Hotspot.Level.COMMUNITY:
        raise ValidationFailed(_("该预警的事件没有坐标,请到事件上报页面选择位置后上报。"))
    location = (
        {"lon": centre[0], "lat": centre[1]}
        if centre
        else {"grid": hotspot.grid}
        if hotspot.grid_id
        else {"community": hotspot.area}
    )
    case = case_create(
        actor=actor,
        item=item,
        text=text,
        source=Source.PATROL,
        idempotency_key=f"hotspot:{hotspot.pk}",
        **location,
    )
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        action="note",
        from_status=case.status,
        to_status=case.status,
        note=_("由苗头性问题预警立案"),
        data={
            "hotspot": hotspot.pk,
            "hotspot_cases": list(hotspot.cases.values_list("id", flat=True)),
        },
    )
    hooks.events_written([event])
    hotspot.state, hotspot.opened_case = Hotspot.State.CASE_OPENED, case
    hotspot.decided_by, hotspot.decided_at = actor, timezone.now()
    hotspot.save()
    return case
