"""Writes for wishes, claims, offers, agreements and pairings. Every change writes its
ledger row (WishEvent, AgreementProgress) in the same transaction; every claim transition
goes through ``claim_transition`` and the table in ``workflow``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, VIEW
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit
from civicgrid.party.choices import PointsEvent
from civicgrid.party.points import points_award
from civicgrid.people.models import PartyMember, Resident

from . import workflow
from .choices import (
    ClaimantKind,
    ClaimStatus,
    Direction,
    OfferKind,
    OwnerKind,
    PostedVia,
    WishCategory,
    WishKind,
    WishStatus,
)
from .models import (
    Agreement,
    AgreementItem,
    AgreementProgress,
    Claim,
    Offer,
    Pairing,
    Wish,
    WishEvent,
)
from .permissions import acts_for_unit, is_authenticated, owns_wish, staff_over

SYSTEM = None  # the sweep's actor
MAX_PENDING_PER_RESIDENT = 5


def claim_days() -> int:
    return int(getattr(settings, "CIVICGRID_WISH_CLAIM_DAYS", 7))


def return_days() -> int:
    return int(getattr(settings, "CIVICGRID_WISH_RETURN_DAYS", 3))


def _event(
    wish: Wish,
    *,
    actor,
    action: str,
    from_status: str = "",
    to_status: str = "",
    claim: Claim | None = None,
    note: str = "",
    data: dict | None = None,
) -> WishEvent:
    return WishEvent.objects.create(
        wish=wish,
        claim=claim,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if is_authenticated(actor) else None,
        note=note[:500],
        data=data or {},
        area_id=wish.area_id,
        grid_id=wish.grid_id,
    )


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(
            _("请填写%(f)s。") % {"f": label}, details={field: [_("不能为空。")]}
        )
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(f)s不能超过 %(n)d 字。") % {"f": label, "n": max_length},
            details={field: [_("过长。")]},
        )
    return value


def _community(area) -> Area:
    if area is None or area.level != Area.Level.COMMUNITY:
        raise ValidationFailed(_("请选择社区。"), details={"area": [_("须为社区。")]})
    return area


def _category(category: str) -> str:
    category = category or WishCategory.OTHER
    if category not in WishCategory.values:
        raise ValidationFailed(_("未知的类别。"), details={"category": [_("无效。")]})
    return category


def _lock_wish(wish: Wish) -> Wish:
    locked = Wish.objects.select_for_update().filter(pk=wish.pk).first()
    if locked is None:
        raise NotFound()
    return locked


def _require_staff(actor, area_id, obj=None) -> None:
    """Community staff over the area; else PermissionDenied if the actor can see the row (or
    the area), NotFound if not (its existence is not revealed)."""
    if staff_over(actor, area_id):
        return
    if is_authenticated(actor):
        row = obj if obj is not None else Area(pk=area_id)
        if type(row).objects.restrict(actor, VIEW).filter(pk=row.pk).exists():
            raise PermissionDenied()
    raise NotFound()


# --- wishes -------------------------------------------------------------------------------


@transaction.atomic
def wish_submit(
    *,
    actor,
    community: Area,
    title: str,
    description: str = "",
    category: str = "",
    owner_label: str = "",
    wanted_by: dt.date | None = None,
    grid: Grid | None = None,
) -> Wish:
    """A resident posts a micro-wish through the portal. It waits for the community's review
    (the text is public once published, and may hold a governance matter)."""
    if not is_authenticated(actor) or getattr(actor, "portal_account", None) is None:
        raise PermissionDenied(_("请先用手机号登录居民服务。"))
    community = _community(community)
    if grid is not None and grid.community_id != community.pk:
        raise ValidationFailed(_("网格不在该社区内。"))
    pending = Wish.objects.filter(owner=actor, status=WishStatus.PENDING).count()
    if pending >= MAX_PENDING_PER_RESIDENT:
        raise Conflict(_("您已有 %(n)d 个心愿在等待审核,请审核后再提交。") % {"n": pending})
    if wanted_by is not None and wanted_by < timezone.localdate():
        raise ValidationFailed(
            _("期望完成日期不能早于今天。"), details={"wanted_by": [_("已过去。")]}
        )
    account = actor.portal_account
    resident = (
        Resident.objects.filter(phone_index=account.phone_index, area=community).first()
        if account.phone_index
        else None
    )
    wish = Wish.objects.create(
        kind=WishKind.MICRO_WISH,
        category=_category(category),
        title=_text(title, field="title", label=_("标题"), max_length=100),
        description=_text(
            description, field="description", label=_("内容"), max_length=2000, required=False
        ),
        status=WishStatus.PENDING,
        area=community,
        grid=grid or (resident.grid if resident else None),
        resident=resident,
        owner=actor,
        owner_phone_index=account.phone_index,
        owner_label=_text(
            owner_label, field="owner_label", label=_("称呼"), max_length=50, required=False
        ),
        posted_via=PostedVia.PORTAL,
        posted_by=actor,
        wanted_by=wanted_by,
    )
    _event(wish, actor=actor, action="submit", to_status=wish.status)
    return wish


@transaction.atomic
def wish_create(
    *,
    actor,
    kind: str,
    title: str,
    description: str = "",
    category: str = "",
    community: Area | None = None,
    grid: Grid | None = None,
    resident: Resident | None = None,
    unit: Unit | None = None,
    owner_label: str = "",
    wanted_by: dt.date | None = None,
) -> Wish:
    """Community staff publish needs and service items; grid workers and staff post micro-wishes
    on a resident's behalf; a unit (its user, or staff for it) posts a support item. These are
    published at once: the poster is accountable staff or the asking unit."""
    if kind not in WishKind.values:
        raise ValidationFailed(_("未知的类型。"), details={"kind": [_("无效。")]})
    if not is_authenticated(actor):
        raise PermissionDenied()
    via = PostedVia.STAFF
    phone_index = ""
    if kind == WishKind.SUPPORT_ITEM:
        if unit is None:
            raise ValidationFailed(_("请选择提出支持事项的单位。"), details={"unit": [_("必填。")]})
        community = _community(unit.area)
        if acts_for_unit(actor, unit):
            via = PostedVia.UNIT
        elif not staff_over(actor, community.pk):
            raise NotFound()
        grid, resident = None, None
    else:
        unit = None
        if resident is not None:
            if not Resident.objects.restrict(actor, CHANGE).filter(pk=resident.pk).exists():
                raise NotFound()
            community, grid = resident.area, resident.grid
            phone_index = resident.phone_index
            if not staff_over(actor, community.pk):
                via = PostedVia.GRID_WORKER
            owner_label = owner_label or f"{resident.name[:1]}{_('居民')}"
        else:
            if kind == WishKind.MICRO_WISH and grid is not None and community is None:
                community = grid.community
            community = _community(community)
            if grid is not None and grid.community_id != community.pk:
                raise ValidationFailed(_("网格不在该社区内。"))
            if not staff_over(actor, community.pk):
                if (
                    grid is not None
                    and Grid.objects.restrict(actor, CHANGE).filter(pk=grid.pk).exists()
                ):
                    via = PostedVia.GRID_WORKER
                else:
                    _require_staff(actor, community.pk)
        if via == PostedVia.GRID_WORKER and kind != WishKind.MICRO_WISH:
            raise PermissionDenied(_("网格员只能代居民发布微心愿。"))
    now = timezone.now()
    wish = Wish.objects.create(
        kind=kind,
        category=_category(category),
        title=_text(title, field="title", label=_("标题"), max_length=100),
        description=_text(
            description, field="description", label=_("内容"), max_length=2000, required=False
        ),
        status=WishStatus.OPEN,
        area=community,
        grid=grid,
        unit=unit,
        resident=resident,
        owner_phone_index=phone_index,
        owner_label=_text(
            owner_label, field="owner_label", label=_("称呼"), max_length=50, required=False
        ),
        posted_via=via,
        posted_by=actor,
        wanted_by=wanted_by,
        published_at=now,
    )
    _event(wish, actor=actor, action="publish", to_status=wish.status, data={"via": via})
    return wish


@transaction.atomic
def wish_review(*, actor, wish: Wish, approve: bool, note: str = "") -> Wish:
    _require_staff(actor, wish.area_id, wish)
    wish = _lock_wish(wish)
    if wish.status != WishStatus.PENDING:
        raise Conflict(_("该心愿已审核过(现为“%(s)s”)。") % {"s": wish.get_status_display()})
    note = _text(note, field="note", label=_("审核意见"), max_length=200, required=not approve)
    before = wish.status
    wish.status = WishStatus.OPEN if approve else WishStatus.REJECTED
    wish.review_note = note
    if approve:
        wish.published_at = timezone.now()
    wish.save(update_fields=["status", "review_note", "published_at"])
    _event(
        wish,
        actor=actor,
        action="approve" if approve else "reject",
        from_status=before,
        to_status=wish.status,
        note=note,
    )
    return wish


@transaction.atomic
def wish_close(*, actor, wish: Wish, reason: str) -> Wish:
    """Take a wish down (the community, or the resident whose wish it is), before it is claimed."""
    if not (owns_wish(actor, wish) or staff_over(actor, wish.area_id)):
        _require_staff(actor, wish.area_id, wish)
    wish = _lock_wish(wish)
    if wish.status not in (WishStatus.PENDING, WishStatus.OPEN):
        raise Conflict(
            _("只有待审核或待认领的心愿可以撤下(现为“%(s)s”)。") % {"s": wish.get_status_display()}
        )
    reason = _text(reason, field="reason", label=_("撤下原因"), max_length=200)
    before = wish.status
    wish.status = WishStatus.CLOSED
    wish.save(update_fields=["status"])
    _event(
        wish, actor=actor, action="close", from_status=before, to_status=wish.status, note=reason
    )
    return wish


@transaction.atomic
def wish_convert_to_case(*, actor, wish: Wish, item, note: str = ""):
    """A wish or need that is really a governance matter (a broken street lamp, a neighbour
    dispute) becomes a case through ``cases.services.case_create``; the wish keeps the link
    and leaves the claim lists."""
    from civicgrid.cases import services as case_services
    from civicgrid.cases.choices import Source

    _require_staff(actor, wish.area_id, wish)
    wish = _lock_wish(wish)
    if wish.status not in (WishStatus.PENDING, WishStatus.OPEN):
        raise Conflict(
            _("只有待审核或待认领的心愿可以转为事件(现为“%(s)s”)。")
            % {"s": wish.get_status_display()}
        )
    phone = ""
    if wish.owner_id and getattr(wish.owner, "portal_account", None) is not None:
        phone = wish.owner.portal_account.phone
    elif wish.resident_id:
        phone = wish.resident.phone or ""
    text = wish.title if not wish.description else f"{wish.title}\n{wish.description}"
    case = case_services.case_create(
        actor=actor,
        item=item,
        text=text,
        source=Source.RESIDENT if wish.posted_via == PostedVia.PORTAL else Source.PATROL,
        grid=wish.grid,
        community=wish.area if wish.grid_id is None else None,
        reporter_name=wish.owner_label,
        reporter_phone=phone,
        idempotency_key=f"wish:{wish.pk}",
    )
    before = wish.status
    wish.status = WishStatus.CONVERTED
    wish.case = case
    wish.save(update_fields=["status", "case"])
    _event(
        wish,
        actor=actor,
        action="convert",
        from_status=before,
        to_status=wish.status,
        note=note[:500],
        data={"case": case.pk, "number": case.number},
    )
    return case


# --- claims -------------------------------------------------------------------------------


def _claimant_allowed(actor, wish: Wish, *, member, unit, community: bool) -> tuple[str, str]:
    """(claimant kind, direction) if ``actor`` may claim ``wish`` for the claimant; raises."""
    given = sum(1 for x in (member is not None, unit is not None, community) if x)
    if given != 1:
        raise ValidationFailed(_("认领方须为一名党员、一个单位或社区。"))
    if wish.kind == WishKind.SUPPORT_ITEM:
        if not community:
            raise ValidationFailed(_("单位支持事项由社区领办。"))
        _require_staff(actor, wish.area_id, wish)
        return ClaimantKind.COMMUNITY, Direction.TO_UNIT
    if community:
        raise ValidationFailed(_("社区事项由党员或单位认领。"))
    if member is not None:
        if getattr(actor, "pk", None) is None or member.user_id != actor.pk:
            raise PermissionDenied(_("党员本人登录后才能认领。"))
        return ClaimantKind.MEMBER, Direction.TO_COMMUNITY
    if not (acts_for_unit(actor, unit) or staff_over(actor, wish.area_id)):
        raise PermissionDenied(_("只有该单位的账号或社区工作人员可以代单位认领。"))
    return ClaimantKind.UNIT, Direction.TO_COMMUNITY


@transaction.atomic
def claim_create(
    *,
    actor,
    wish: Wish,
    member: PartyMember | None = None,
    unit: Unit | None = None,
    community: bool = False,
    days: int | None = None,
) -> Claim:
    """Claim a published wish. A wish is claimed once: the wish row is locked and its state
    re-read, and the database refuses a second active claim (``wish_one_active_claim``), so of
    two claims at the same moment one wins and the other is told the wish is taken."""
    kind, direction = _claimant_allowed(actor, wish, member=member, unit=unit, community=community)
    limit = claim_days()
    if days is None:
        days = limit
    if not isinstance(days, int) or not 1 <= days <= max(limit, 1) * 4:
        raise ValidationFailed(
            _("完成期限须为 1 至 %(n)d 天。") % {"n": max(limit, 1) * 4},
            details={"days": [_("无效。")]},
        )
    wish = _lock_wish(wish)
    if wish.status != WishStatus.OPEN:
        if wish.status in (WishStatus.CLAIMED, WishStatus.DONE):
            raise Conflict(_("手慢了:该事项已被认领。"), code="already_claimed")
        raise Conflict(_("该事项当前不可认领(%(s)s)。") % {"s": wish.get_status_display()})
    now = timezone.now()
    claim = Claim(
        wish=wish,
        direction=direction,
        claimant_kind=kind,
        member=member if kind == ClaimantKind.MEMBER else None,
        unit=unit if kind == ClaimantKind.UNIT else None,
        status=ClaimStatus.CLAIMED,
        claimed_by=actor,
        claimed_at=now,
        deadline=now + dt.timedelta(days=days),
        area_id=wish.area_id,
        grid_id=wish.grid_id,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise Conflict(_("手慢了:该事项已被认领。"), code="already_claimed") from None
    before = wish.status
    wish.status = WishStatus.CLAIMED
    wish.save(update_fields=["status"])
    _event(
        wish,
        actor=actor,
        claim=claim,
        action="claim",
        from_status=before,
        to_status=ClaimStatus.CLAIMED,
        data={
            "claimant": kind,
            "name": claim.claimant_name,
            "deadline": claim.deadline.isoformat(),
        },
    )
    return claim


def may_act(actor, claim: Claim, who: str) -> bool:
    if who == "system":
        return actor is SYSTEM
    if not is_authenticated(actor):
        return False
    if who == "claimant":
        if claim.claimant_kind == ClaimantKind.MEMBER:
            return claim.member.user_id == actor.pk
        if claim.claimant_kind == ClaimantKind.UNIT:
            return acts_for_unit(actor, claim.unit) or staff_over(actor, claim.area_id)
        return staff_over(actor, claim.area_id)
    if who == "confirmer":
        if claim.direction == Direction.TO_UNIT:
            return acts_for_unit(actor, claim.wish.unit) or staff_over(actor, claim.area_id)
        return staff_over(actor, claim.area_id)
    return False


def refusal(actor, claim: Claim, action: str) -> str | None:
    """Why ``actor`` may not perform ``action`` on ``claim`` now (None when allowed)."""
    t = workflow.TRANSITIONS.get(action)
    if t is None:
        return _("未知的操作。")
    if claim.status not in t.sources:
        reason = workflow.REASONS.get((action, claim.status))
        if reason:
            return str(reason)
        return _("认领当前为“%(s)s”,不能%(a)s。") % {"s": claim.get_status_display(), "a": t.label}
    if not may_act(actor, claim, t.who):
        return {
            "claimant": _("只有认领方可以执行此操作。"),
            "confirmer": _("只有社区工作人员可以确认或退回。"),
            "system": _("超期释放由系统执行。"),
        }[t.who]
    return None


@transaction.atomic
def claim_transition(*, actor, claim: Claim, action: str, note: str = "") -> Claim:
    t = workflow.TRANSITIONS.get(action)
    if t is None:
        raise ValidationFailed(_("未知的操作。"))
    wish = _lock_wish(claim.wish)  # the wish first, then the claim (one lock order everywhere)
    Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk").first()
    claim = Claim.objects.select_related("member", "unit", "wish__unit").get(pk=claim.pk)
    reason = refusal(actor, claim, action)
    if reason:
        if claim.status not in t.sources:
            raise Conflict(reason, code="illegal_transition")
        raise PermissionDenied(reason)
    note = _text(
        note,
        field="note",
        label=_("说明") if action != "return" else _("退回原因"),
        max_length=500,
        required=t.needs_note,
    )
    now = timezone.now()
    before = claim.status
    claim.status = t.target
    fields = ["status"]
    wish_before = wish.status
    points = None
    if action == "start":
        claim.started_at = now
        fields.append("started_at")
    elif action == "complete":
        claim.completed_at, claim.completion_note = now, note
        fields += ["completed_at", "completion_note"]
    elif action == "return":
        claim.return_count += 1
        claim.completed_at = None
        claim.deadline = max(claim.deadline, now + dt.timedelta(days=return_days()))
        fields += ["return_count", "completed_at", "deadline"]
    elif action == "confirm":
        claim.confirmed_at = now
        fields.append("confirmed_at")
        wish.status = WishStatus.DONE
    elif action in ("withdraw", "release"):
        claim.ended_at = now
        fields.append("ended_at")
        wish.status = WishStatus.OPEN
    claim.save(update_fields=fields)
    if wish.status != wish_before:
        wish.save(update_fields=["status"])
    data = {}
    if action == "confirm" and claim.claimant_kind != ClaimantKind.COMMUNITY:
        entry = points_award(
            actor=actor,
            event=PointsEvent.CLAIM_CONFIRMED,
            source=claim,
            member=claim.member if claim.claimant_kind == ClaimantKind.MEMBER else None,
            unit=claim.unit if claim.claimant_kind == ClaimantKind.UNIT else None,
            note=wish.title[:200],
        )
        points = entry.points if entry is not None else 0
        data["points"] = points
    if action == "release":
        data["deadline"] = claim.deadline.isoformat()
    _event(
        wish,
        actor=actor,
        claim=claim,
        action=action,
        from_status=before,
        to_status=claim.status,
        note=note,
        data=data,
    )
    return claim


@transaction.atomic
def claim_rate(*, actor, claim: Claim, rating, comment: str = "") -> Claim:
    """The resident whose wish it was thanks and rates (1–5), once, after confirmation."""
    Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk").first()
    claim = Claim.objects.select_related("wish__owner").get(pk=claim.pk)
    if not owns_wish(actor, claim.wish):
        raise PermissionDenied(_("只有心愿人本人可以评价。"))
    if claim.status != ClaimStatus.CONFIRMED:
        raise Conflict(_("社区确认完成后才能评价。"))
    if claim.rating is not None:
        raise Conflict(_("您已评价过,感谢您的反馈。"))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationFailed(_("请选择 1 至 5 星。"), details={"rating": [_("无效。")]})
    claim.rating = rating
    claim.rating_comment = _text(
        comment, field="comment", label=_("评价"), max_length=500, required=False
    )
    claim.rated_at = timezone.now()
    claim.save(update_fields=["rating", "rating_comment", "rated_at"])
    _event(
        claim.wish,
        actor=actor,
        claim=claim,
        action="rate",
        from_status=claim.status,
        to_status=claim.status,
        note=claim.rating_comment,
        data={"rating": rating},
    )
    return claim


def overdue_claims(now: dt.datetime):
    return Claim.objects.filter(
        status__in=[ClaimStatus.CLAIMED, ClaimStatus.IN_PROGRESS], deadline__lt=now
    ).order_by()


def release_overdue(now: dt.datetime | None = None) -> int:
    """Release claims not completed by their deadline; the wish goes back to open. Each claim in
    its own transaction, state re-read under the lock (a claim completed meanwhile stays)."""
    now = now or timezone.now()
    released = 0
    for pk in list(overdue_claims(now).values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            # Locks in the order every claim change takes them: the wish, then the claim.
            wish_id = Claim.objects.filter(pk=pk).values_list("wish_id", flat=True).first()
            if wish_id is None:
                continue
            Wish.objects.select_for_update().filter(pk=wish_id).values_list("pk").first()
            claim = Claim.objects.select_for_update().filter(pk=pk).first()
            if claim is None or claim.status not in workflow.TRANSITIONS["release"].sources:
                continue
            if claim.deadline >= now:
                continue
            claim_transition(
                actor=SYSTEM,
                claim=claim,
                action="release",
                note=_("超过完成期限未完成,已自动释放。"),
            )
            released += 1
    return released


# --- offers -------------------------------------------------------------------------------


def _acts_for_unit_or_staff(actor, unit: Unit) -> None:
    if acts_for_unit(actor, unit) or staff_over(actor, unit.area_id):
        return
    if is_authenticated(actor) and Unit.objects.restrict(actor, VIEW).filter(pk=unit.pk).exists():
        raise PermissionDenied()
    raise NotFound()


@transaction.atomic
def offer_create(
    *,
    actor,
    unit: Unit,
    kind: str,
    title: str,
    description: str = "",
    category: str = "",
    quantity: str = "",
    amount: Decimal | None = None,
    volunteers: int | None = None,
    available_until: dt.date | None = None,
) -> Offer:
    _acts_for_unit_or_staff(actor, unit)
    if kind not in OfferKind.values:
        raise ValidationFailed(_("未知的资源类型。"), details={"kind": [_("无效。")]})
    if kind == OfferKind.MONEY and (amount is None or amount <= 0):
        raise ValidationFailed(_("资金须填写大于 0 的金额。"), details={"amount": [_("必填。")]})
    if kind == OfferKind.VOLUNTEERS and not volunteers:
        raise ValidationFailed(_("请填写志愿者人数。"), details={"volunteers": [_("必填。")]})
    if amount is not None and amount < 0:
        raise ValidationFailed(_("金额不能为负数。"), details={"amount": [_("无效。")]})
    return Offer.objects.create(
        unit=unit,
        area_id=unit.area_id,
        kind=kind,
        category=_category(category),
        title=_text(title, field="title", label=_("名称"), max_length=100),
        description=_text(
            description, field="description", label=_("说明"), max_length=2000, required=False
        ),
        quantity=_text(
            quantity, field="quantity", label=_("数量/规模"), max_length=50, required=False
        ),
        amount=amount,
        volunteers=volunteers,
        available_until=available_until,
        created_by=actor,
    )


@transaction.atomic
def offer_withdraw(*, actor, offer: Offer) -> Offer:
    _acts_for_unit_or_staff(actor, offer.unit)
    Offer.objects.filter(pk=offer.pk).update(active=False)
    offer.active = False
    return offer


# --- agreements ---------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor,
    unit: Unit,
    community: Area,
    year: int,
    title: str,
    signed_on: dt.date | None = None,
    notes: str = "",
) -> Agreement:
    community = _community(community)
    _require_staff(actor, community.pk)
    if not Unit.objects.restrict(actor, VIEW).filter(pk=unit.pk).exists():
        raise NotFound()
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed(_("年度无效。"), details={"year": [_("无效。")]})
    if signed_on is not None and signed_on > timezone.localdate():
        raise ValidationFailed(_("签订日期不能晚于今天。"), details={"signed_on": [_("无效。")]})
    if Agreement.objects.filter(unit=unit, area=community, year=year).exists():
        raise Conflict(
            _("%(u)s 与本社区 %(y)d 年度的共建协议已存在。") % {"u": unit.name, "y": year}
        )
    return Agreement.objects.create(
        unit=unit,
        area=community,
        year=year,
        signed_on=signed_on,
        created_by=actor,
        title=_text(title, field="title", label=_("名称"), max_length=100),
        notes=_text(notes, field="notes", label=_("备注"), max_length=2000, required=False),
    )


@transaction.atomic
def agreement_item_add(
    *,
    actor,
    agreement: Agreement,
    title: str,
    owner_kind: str,
    owner_name: str = "",
    owner_unit: Unit | None = None,
    deadline: dt.date | None = None,
) -> AgreementItem:
    _require_staff(actor, agreement.area_id, agreement)
    if owner_kind not in OwnerKind.values:
        raise ValidationFailed(_("未知的责任方类型。"), details={"owner_kind": [_("无效。")]})
    if owner_kind == OwnerKind.UNIT and owner_unit is None:
        owner_unit = agreement.unit
    if owner_kind == OwnerKind.PERSON and not (owner_name or "").strip():
        raise ValidationFailed(_("请填写责任人。"), details={"owner_name": [_("必填。")]})
    return AgreementItem.objects.create(
        agreement=agreement,
        owner_kind=owner_kind,
        owner_unit=owner_unit if owner_kind == OwnerKind.UNIT else None,
        owner_name=_text(
            owner_name, field="owner_name", label=_("责任人"), max_length=50, required=False
        ),
        title=_text(title, field="title", label=_("共建事项"), max_length=200),
        deadline=deadline,
    )


@transaction.atomic
def agreement_item_progress(
    *, actor, item: AgreementItem, progress, note: str = ""
) -> AgreementItem:
    agreement = item.agreement
    if not (staff_over(actor, agreement.area_id) or acts_for_unit(actor, agreement.unit)):
        _require_staff(actor, agreement.area_id, agreement)
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    if not 0 <= progress <= 100:
        raise ValidationFailed(_("进度须为 0 至 100。"), details={"progress": [_("无效。")]})
    item = AgreementItem.objects.select_for_update().get(pk=item.pk)
    note = _text(note, field="note", label=_("说明"), max_length=500, required=False)
    item.progress = progress
    if note:
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        item.notes = (f"{item.notes}\n{stamp} {note}" if item.notes else f"{stamp} {note}")[-2000:]
    item.done_at = item.done_at or timezone.now() if progress == 100 else None
    item.save(update_fields=["progress", "notes", "done_at", "updated_at"])
    AgreementProgress.objects.create(item=item, progress=progress, note=note, actor=actor)
    return item


# --- pairings -----------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *, actor, member: PartyMember, resident: Resident, since: dt.date, note: str = ""
) -> Pairing:
    if not Resident.objects.restrict(actor, CHANGE).filter(pk=resident.pk).exists():
        raise NotFound()
    if not PartyMember.objects.restrict(actor, VIEW).filter(pk=member.pk).exists():
        raise NotFound()
    if since is None or since > timezone.localdate():
        raise ValidationFailed(_("结对日期不能晚于今天。"), details={"since": [_("无效。")]})
    if Pairing.objects.filter(member=member, resident=resident, until__isnull=True).exists():
        raise Conflict(_("该党员与该居民已结成帮扶对子。"))
    return Pairing.objects.create(
        member=member,
        resident=resident,
        area_id=resident.area_id,
        grid_id=resident.grid_id,
        since=since,
        created_by=actor,
        note=_text(note, field="note", label=_("帮扶内容"), max_length=200, required=False),
    )


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, until: dt.date) -> Pairing:
    if not Pairing.objects.restrict(actor, CHANGE).filter(pk=pairing.pk).exists():
        raise NotFound()
    if pairing.until is not None:
        raise Conflict(_("该帮扶对子已结束。"))
    if until is None or until < pairing.since:
        raise ValidationFailed(_("结束日期不能早于结对日期。"), details={"until": [_("无效。")]})
    pairing.until = until
    pairing.save(update_fields=["until"])
    return pairing
