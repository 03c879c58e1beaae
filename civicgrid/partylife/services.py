"""Writes for mutual evaluation and smart party building. Keyword-only, with a required
``actor``, atomic; points go to the ledger of civicgrid.party in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.core.scoping import CHANGE, get_scope
from civicgrid.geo.models import Area
from civicgrid.orgs.access import require_scope
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import PartyOrganization, Unit
from civicgrid.people.models import PartyMember

from . import choices as c
from . import rules
from .models import (
    DuesBase,
    DuesPayment,
    EvaluationAssignment,
    EvaluationForm,
    EvaluationRound,
    EvaluationScore,
    Meeting,
    MeetingAttendance,
    OrgWarning,
    Rectification,
    RectificationNote,
    StarRating,
    TrainingRecord,
)


def _award(*, actor, event: str, source, occurred_at=None, member=None, unit=None, note=""):
    """Award points through the party ledger (nothing when that app is not installed)."""
    if not apps.is_installed("civicgrid.party"):
        return None
    from civicgrid.party.points import points_award

    return points_award(
        actor=actor,
        event=event,
        member=member,
        unit=unit,
        source=source,
        occurred_at=occurred_at,
        note=note,
    )


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def is_org_department(user) -> bool:
    """The organisation department (or a superuser / system administrator)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(
        get_scope(user).roles & {Role.ORG_DEPARTMENT, Role.SYSTEM_ADMIN}
    )


def _require_org_department(actor, area: Area) -> None:
    if not is_org_department(actor):
        raise PermissionDenied(_("只有组织部可以管理评价轮次。"))
    require_scope(actor, area, CHANGE)


def acting_for(user) -> tuple[set[int], set[int]]:
    """(unit ids, community ids) the user rates for: units they hold a role in, communities
    they are community staff of (assigned at the community itself)."""
    from civicgrid.orgs.models import RoleAssignment

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set(), set()
    rows = RoleAssignment.objects.filter(user=user, active=True).values_list(
        "role", "unit_id", "area_id", "area__level"
    )
    units = {u for _r, u, _a, _lv in rows if u}
    communities = {
        a for r, _u, a, lv in rows if r == Role.COMMUNITY_STAFF and a and lv == Area.Level.COMMUNITY
    }
    return units, communities


# --- mutual evaluation ---------------------------------------------------------------------
@transaction.atomic
def evaluation_round_create(
    *,
    actor,
    name: str,
    period: str,
    area: Area,
    anonymity: str = c.Anonymity.HIDDEN_FROM_RATED,
    forms: dict[str, EvaluationForm | None],
    good_threshold: Decimal | int = 90,
    closes_on: dt.date | None = None,
) -> EvaluationRound:
    _require_org_department(actor, area)
    name, period = (name or "").strip(), (period or "").strip()
    if not name or not period:
        raise ValidationFailed(_("请填写名称和周期。"))
    if area.level not in (Area.Level.COUNTY, Area.Level.STREET):
        raise ValidationFailed(_("评价范围须为县(区)或街道。"))
    if anonymity not in c.Anonymity.values:
        raise ValidationFailed(_("未知的匿名方式。"))
    chosen = {}
    for direction in c.Direction.values:
        form = forms.get(direction)
        if form is not None and form.direction != direction:
            raise ValidationFailed(_("评价表“%(f)s”不适用于该评价方向。") % {"f": form.name})
        if form is not None and not form.criteria.exists():
            raise ValidationFailed(_("评价表“%(f)s”没有评价项。") % {"f": form.name})
        chosen[f"form_{direction}"] = form
    if not any(chosen.values()):
        raise ValidationFailed(_("请至少选择一个评价方向的评价表。"))
    threshold = Decimal(str(good_threshold))
    if not (0 < threshold <= 100):
        raise ValidationFailed(_("优秀分数线须在 0 到 100 之间。"))
    return EvaluationRound.objects.create(
        name=name,
        period=period,
        area=area,
        anonymity=anonymity,
        good_threshold=threshold,
        closes_on=closes_on,
        created_by=actor,
        **chosen,
    )


def _communities(area: Area):
    return Area.objects.filter(path__startswith=area.path, level=Area.Level.COMMUNITY)


def _reported(area: Area, kind: str) -> list[tuple[int, int]] | None:
    """(subject id, community id) of the confirmed dual reports (civicgrid.party) to communities
    of ``area``; None when no report of this kind was ever made there (dual reporting not in
    use in the area, or the party app not installed)."""
    if not apps.is_installed("civicgrid.party"):
        return None
    from civicgrid.party.models import DualReport

    qs = DualReport.objects.filter(kind=kind, community__path__startswith=area.path)
    if not qs.exists():
        return None
    return list(qs.filter(status="confirmed").values_list(f"{kind}_id", "community_id"))


def unit_community_links(area: Area) -> list[tuple[int, int]]:
    """(unit id, community id) for every unit that reports to a community in ``area``: its
    confirmed dual report (双报到). Where no unit has ever reported in the area, a unit reports
    to the community it is located in (orgs.Unit.area); district departments take no part."""
    reported = _reported(area, "unit")
    if reported is not None:
        return reported
    return list(
        Unit.objects.filter(area__path__startswith=area.path, area__level=Area.Level.COMMUNITY)
        .exclude(kind=UnitKind.DEPARTMENT)
        .values_list("id", "area_id")
    )


def member_community_links(area: Area) -> list[tuple[int, int]]:
    """(member id, community id): in-service members with a confirmed dual report to a
    community of ``area``; where no member has ever reported there, the members living in it."""
    reported = _reported(area, "member")
    if reported is not None:
        return reported
    return list(
        PartyMember.objects.filter(
            area__path__startswith=area.path, area__level=Area.Level.COMMUNITY
        ).values_list("id", "area_id")
    )


@transaction.atomic
def evaluation_round_open(*, actor, round: EvaluationRound) -> int:
    """Open a draft round: generate its assignments from the round's area. Returns how many."""
    round = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    _require_org_department(actor, round.area)
    if round.status != c.RoundStatus.DRAFT:
        raise Conflict(_("只有草稿状态的轮次可以开始。"))
    D = c.Direction
    rows = []
    units = unit_community_links(round.area)
    if round.form_unit_to_community_id:
        rows += [
            EvaluationAssignment(
                round=round,
                direction=D.UNIT_TO_COMMUNITY,
                area_id=a,
                rater_unit_id=u,
                target_area_id=a,
            )
            for u, a in units
        ]
    if round.form_community_to_unit_id:
        rows += [
            EvaluationAssignment(
                round=round,
                direction=D.COMMUNITY_TO_UNIT,
                area_id=a,
                rater_area_id=a,
                target_unit_id=u,
            )
            for u, a in units
        ]
    if round.form_community_to_member_id:
        rows += [
            EvaluationAssignment(
                round=round,
                direction=D.COMMUNITY_TO_MEMBER,
                area_id=a,
                rater_area_id=a,
                target_member_id=m,
            )
            for m, a in member_community_links(round.area)
        ]
    if not rows:
        raise ValidationFailed(_("该范围内没有可评价的对象。"))
    EvaluationAssignment.objects.bulk_create(rows, batch_size=1000)
    round.status = c.RoundStatus.OPEN
    round.opened_at = timezone.now()
    round.save(update_fields=["status", "opened_at"])
    return len(rows)


@transaction.atomic
def evaluation_round_close(*, actor, round: EvaluationRound) -> int:
    """Close an open round; members and units whose mean reaches the round's threshold earn
    "evaluation_good" points. Returns how many awards were made."""
    from .selectors import round_results

    round = EvaluationRound.objects.select_for_update().get(pk=round.pk)
    _require_org_department(actor, round.area)
    if round.status != c.RoundStatus.OPEN:
        raise Conflict(_("只有评价中的轮次可以结束。"))
    round.status = c.RoundStatus.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_at"])
    awarded = 0
    for direction in (c.Direction.COMMUNITY_TO_UNIT, c.Direction.COMMUNITY_TO_MEMBER):
        for r in round_results(round, direction):
            if r.mean is None or r.mean < round.good_threshold:
                continue
            subject = (
                {"unit": r.target}
                if direction == c.Direction.COMMUNITY_TO_UNIT
                else {"member": r.target}
            )
            entry = _award(
                actor=actor,
                event="evaluation_good",
                source=round,
                note=_("%(r)s 得分 %(s)s") % {"r": round.name, "s": r.mean},
                **subject,
            )
            awarded += entry is not None
    return awarded


def assignment_for_rater(*, user, pk) -> EvaluationAssignment:
    """An assignment the user rates (as its unit or community), else NotFound."""
    units, communities = acting_for(user)
    try:
        a = EvaluationAssignment.objects.select_related(
            "round", "rater_unit", "rater_area", "target_area", "target_unit", "target_member"
        ).get(pk=pk)
    except (EvaluationAssignment.DoesNotExist, ValueError, TypeError):
        raise NotFound()
    if not (
        (a.rater_unit_id and a.rater_unit_id in units)
        or (a.rater_area_id and a.rater_area_id in communities)
    ):
        raise NotFound()
    return a


def _total(criteria, scores: dict[int, Decimal]) -> Decimal:
    weights = sum(cr.weight for cr in criteria)
    value = sum(scores[cr.pk] / cr.max_score * cr.weight for cr in criteria) / weights * 100
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def evaluation_save(
    *,
    actor,
    assignment: EvaluationAssignment,
    scores: dict[int, tuple[object, str]],
    comment: str = "",
    submit: bool = False,
) -> EvaluationAssignment:
    """Save a draft or submit. ``scores`` maps criterion id → (score, comment). A draft may be
    partial; a submission needs every criterion; each score within 0..max. One submission per
    rater and target; nothing may change after it, nor after the round closes."""
    a = assignment_for_rater(user=actor, pk=assignment.pk)
    if a.round.status != c.RoundStatus.OPEN:
        raise Conflict(_("该轮评价未开始或已结束。"))
    if a.status == c.AssignmentStatus.SUBMITTED:
        raise Conflict(_("已提交的评价不能再修改。"))
    criteria = assignment_criteria(a)
    by_id = {cr.pk: cr for cr in criteria}
    clean: dict[int, tuple[Decimal, str]] = {}
    errors: dict[str, list[str]] = {}
    for key, (raw, note) in scores.items():
        cr = by_id.get(int(key))
        if cr is None:
            raise ValidationFailed(_("评价项不属于该评价表。"))
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            errors[f"score_{cr.pk}"] = [_("请填写数字。")]
            continue
        if not value.is_finite() or value < 0 or value > cr.max_score:
            errors[f"score_{cr.pk}"] = [
                _("“%(c)s”的分数须在 0 到 %(m)d 之间。") % {"c": cr.name, "m": cr.max_score}
            ]
            continue
        clean[cr.pk] = (
            value.quantize(Decimal("0.01")),
            (note or "").strip()[:500] if cr.allow_comment else "",
        )
    if submit:
        for cr in criteria:
            if cr.pk not in clean and f"score_{cr.pk}" not in errors:
                errors[f"score_{cr.pk}"] = [_("请为“%(c)s”打分。") % {"c": cr.name}]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    now = timezone.now()
    total = _total(criteria, {k: v for k, (v, _n) in clean.items()}) if submit else None
    # The conditional update is the once-only guard: of two submissions at the same moment,
    # one finds the row no longer open and is refused.
    changed = EvaluationAssignment.objects.filter(
        pk=a.pk, status__in=[c.AssignmentStatus.PENDING, c.AssignmentStatus.DRAFT]
    ).update(
        status=c.AssignmentStatus.SUBMITTED if submit else c.AssignmentStatus.DRAFT,
        total=total,
        comment=(comment or "").strip()[:2000],
        submitted_by=actor if submit else None,
        submitted_at=now if submit else None,
        updated_at=now,
    )
    if not changed:
        raise Conflict(_("已提交的评价不能再修改。"))
    EvaluationScore.objects.filter(assignment=a).delete()
    EvaluationScore.objects.bulk_create(
        [
            EvaluationScore(assignment=a, criterion_id=k, score=v, comment=n)
            for k, (v, n) in clean.items()
        ]
    )
    a.refresh_from_db()
    return a


# --- organisational life, training, dues ---------------------------------------------------
def _org_for_change(actor, organization: PartyOrganization) -> None:
    require_scope(actor, organization, CHANGE)


@transaction.atomic
def meeting_record(
    *,
    actor,
    organization: PartyOrganization,
    kind: str,
    held_on: dt.date,
    topic: str,
    attendance: dict[int, str],
    notes: str = "",
) -> Meeting:
    """Record a meeting of 三会一课 and each member's attendance; those present earn
    "org_life_attended" points."""
    _org_for_change(actor, organization)
    if kind not in c.MeetingKind.values:
        raise ValidationFailed(_("未知的会议类型。"))
    topic = (topic or "").strip()
    if not topic:
        raise ValidationFailed(_("请填写会议主题。"), details={"topic": [_("不能为空。")]})
    if held_on > timezone.localdate():
        raise ValidationFailed(_("会议日期不能晚于今天。"), details={"held_on": [_("日期有误。")]})
    members = {m.pk: m for m in PartyMember.objects.filter(organization=organization)}
    unknown = [k for k in attendance if int(k) not in members]
    if unknown:
        raise ValidationFailed(_("出席名单中有不属于该党组织的党员。"))
    if any(v not in c.Attendance.values for v in attendance.values()):
        raise ValidationFailed(_("未知的出席情况。"))
    meeting = Meeting.objects.create(
        organization=organization,
        kind=kind,
        held_on=held_on,
        topic=topic[:200],
        notes=notes or "",
        recorded_by=actor,
    )
    MeetingAttendance.objects.bulk_create(
        [
            MeetingAttendance(meeting=meeting, member_id=int(mid), status=st)
            for mid, st in attendance.items()
        ]
    )
    for mid, st in attendance.items():
        if st == c.Attendance.PRESENT:
            _award(
                actor=actor,
                event="org_life_attended",
                member=members[int(mid)],
                source=meeting,
                occurred_at=_aware(held_on),
            )
    return meeting


@transaction.atomic
def training_record(
    *,
    actor,
    member: PartyMember,
    taken_on: dt.date,
    title: str,
    hours,
    kind: str = c.TrainingKind.OFFLINE,
) -> TrainingRecord:
    require_scope(actor, member, CHANGE)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写学习内容。"))
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        raise ValidationFailed(_("学时须为数字。"))
    if not hours.is_finite() or hours < Decimal("0.5") or hours > 24:
        raise ValidationFailed(_("学时须在 0.5 到 24 之间。"))
    if taken_on > timezone.localdate():
        raise ValidationFailed(_("日期不能晚于今天。"))
    if kind not in c.MANUAL_TRAINING_KINDS:  # test hours are credited, not typed in
        raise ValidationFailed(_("未知的学习方式。"))
    record = TrainingRecord.objects.create(
        member=member,
        taken_on=taken_on,
        title=title[:200],
        hours=hours.quantize(Decimal("0.1")),
        kind=kind,
        recorded_by=actor,
    )
    _award(
        actor=actor,
        event="training_completed",
        member=member,
        source=record,
        occurred_at=_aware(taken_on),
    )
    return record


TRAINING_CREDIT_MAX_HOURS = Decimal("24")


@transaction.atomic
def training_credit(
    *,
    actor,
    user,
    source: str,
    taken_on: dt.date,
    title: str,
    hours,
    kind: str = c.TrainingKind.TEST,
) -> tuple[TrainingRecord | None, bool]:
    """Credit training hours earned elsewhere — a passed staff knowledge test — to the party
    member whose login is ``user``. Once per member and ``source`` (e.g. "surveys.paper:12"):
    crediting again, even at the same moment, returns the record already there. Nothing for a
    user who is no party member, or for fewer than 0.5 hours; more than 24 count as 24. The
    record earns "training_completed" points like one entered by hand. No scope check: the
    cause (the member's own hand-in) was checked where it happened. Returns (record, created)."""
    source = (source or "").strip()[:60]
    if not source:
        raise ValidationFailed(_("缺少学时来源。"))
    member = PartyMember.objects.filter(user=user).first() if user is not None else None
    if member is None:
        return None, False
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationFailed(_("学时须为数字。"))
    if not hours.is_finite() or hours < Decimal("0.5"):
        return None, False
    existing = TrainingRecord.objects.filter(member=member, source=source).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = TrainingRecord.objects.create(
                member=member,
                taken_on=taken_on,
                title=(title or "").strip()[:200] or source,
                hours=min(hours, TRAINING_CREDIT_MAX_HOURS),
                kind=kind,
                source=source,
                recorded_by=None,
            )
    except IntegrityError:  # credited by a concurrent call
        return TrainingRecord.objects.get(member=member, source=source), False
    _award(
        actor=actor,
        event="training_completed",
        member=member,
        source=record,
        occurred_at=_aware(taken_on),
    )
    return record, True


@transaction.atomic
def dues_base_declare(
    *, actor, member: PartyMember, since: dt.date, category: str, monthly_income=0
) -> DuesBase:
    """Declare a member's dues base from a month on; the monthly dues follow the rule."""
    require_scope(actor, member, CHANGE)
    if category not in c.DuesCategory.values:
        raise ValidationFailed(_("未知的党员类别。"))
    try:
        income = Decimal(str(monthly_income or 0))
    except InvalidOperation:
        raise ValidationFailed(_("收入须为数字。"))
    if not income.is_finite() or income < 0 or income > Decimal("10000000"):
        raise ValidationFailed(_("收入须为不小于零的金额。"))
    base, _created = DuesBase.objects.update_or_create(
        member=member,
        since=rules.month_start(since),
        defaults={
            "category": category,
            "monthly_income": income.quantize(rules.CENT),
            "monthly_dues": rules.dues_monthly(category, income),
            "declared_by": actor,
        },
    )
    return base


@transaction.atomic
def dues_pay(
    *, actor, member: PartyMember, month: dt.date, paid_on: dt.date | None = None, amount=None
) -> DuesPayment:
    """Record the payment of one month's dues (at least the amount due for that month)."""
    require_scope(actor, member, CHANGE)
    month = rules.month_start(month)
    due = rules.dues_for_month(member.pk, month)
    if due is None:
        raise ValidationFailed(_("该党员在该月尚未核定党费基数。"))
    try:
        amount = due if amount in (None, "") else Decimal(str(amount)).quantize(rules.CENT)
    except InvalidOperation:
        raise ValidationFailed(_("金额须为数字。"))
    if amount < due:
        raise ValidationFailed(_("缴纳金额不足(应交 %(d)s 元)。") % {"d": due})
    paid_on = paid_on or timezone.localdate()
    if month > rules.month_start(paid_on) + dt.timedelta(days=366):
        raise ValidationFailed(_("最多预交一年党费。"))
    try:
        with transaction.atomic():
            return DuesPayment.objects.create(
                member=member, month=month, amount=amount, paid_on=paid_on, recorded_by=actor
            )
    except IntegrityError:
        raise Conflict(_("%(m)s 的党费已缴纳。") % {"m": month.strftime("%Y-%m")})


# --- star rating ---------------------------------------------------------------------------
@transaction.atomic
def star_rating_compute(
    *,
    actor,
    organization: PartyOrganization,
    year: int,
    manual_score=None,
    manual_note: str | None = None,
    today: dt.date | None = None,
) -> StarRating:
    """Compute (or recompute) an organisation's star rating for a year. The manual criterion
    (0–10) is set only by the organisation department; otherwise the last value stays."""
    require_scope(actor, organization, CHANGE)
    if organization.kind not in c.GRASSROOTS_KINDS:
        raise ValidationFailed(_("该类党组织不参加星级评定。"))
    today = today or timezone.localdate()
    existing = (
        StarRating.objects.select_for_update().filter(organization=organization, year=year).first()
    )
    manual = existing.manual_score if existing else Decimal("0")
    note = existing.manual_note if existing else ""
    if manual_score not in (None, ""):
        if not is_org_department(actor):
            raise PermissionDenied(_("只有组织部可以评定人工评分项。"))
        try:
            manual = Decimal(str(manual_score))
        except InvalidOperation:
            raise ValidationFailed(_("评定分须为数字。"))
        if not manual.is_finite() or manual < 0 or manual > c.STAR_WEIGHTS["manual"]:
            raise ValidationFailed(
                _("评定分须在 0 到 %(m)d 之间。") % {"m": c.STAR_WEIGHTS["manual"]}
            )
    if manual_note is not None:
        note = manual_note.strip()[:300]
    fig = rules.star_figures(organization, year, today, manual)
    rating, _created = StarRating.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={
            "scores": fig.scores(),
            "manual_score": manual,
            "manual_note": note,
            "total": fig.total,
            "stars": fig.stars,
            "computed_by": actor,
        },
    )
    return rating


def star_ratings_compute_all(*, actor, year: int, today: dt.date | None = None) -> int:
    """Every organisation the actor may change (``actor=None``: the scheduled run, all)."""
    n = 0
    base = (
        PartyOrganization.objects.all()
        if actor is None
        else PartyOrganization.objects.restrict(actor, CHANGE)
    )
    for org in base.filter(kind__in=c.GRASSROOTS_KINDS):
        star_rating_compute(actor=actor, organization=org, year=year, today=today)
        n += 1
    return n


# --- early warning and rectification --------------------------------------------------------
@transaction.atomic
def warnings_scan(*, actor, today: dt.date | None = None, organizations=None) -> tuple[int, int]:
    """Raise a warning for every condition that holds and has no active warning (again after a
    closed rectification if the condition persists); clear open warnings whose condition is
    gone. ``actor=None`` is the scheduled scan over every organisation. Returns (raised, cleared)."""
    today = today or timezone.localdate()
    if organizations is None:
        base = (
            PartyOrganization.objects.all()
            if actor is None
            else PartyOrganization.objects.restrict(actor, CHANGE)
        )
        organizations = base.filter(kind__in=c.GRASSROOTS_KINDS)
    orgs = list(organizations)
    conditions = rules.warning_conditions(orgs, today)
    ids = [o.pk for o in orgs]
    active = {
        (w.organization_id, w.kind): w
        for w in OrgWarning.objects.select_for_update().filter(
            organization_id__in=ids, state__in=[c.WarningState.OPEN, c.WarningState.RECTIFYING]
        )
    }
    previous: dict[tuple[int, str], int] = {}
    for oid, kind in OrgWarning.objects.filter(organization_id__in=ids).values_list(
        "organization_id", "kind"
    ):
        previous[(oid, kind)] = previous.get((oid, kind), 0) + 1
    raised = cleared = 0
    new = []
    for org in orgs:
        found = conditions.get(org.pk, {})
        for kind, detail in found.items():
            w = active.get((org.pk, kind))
            if w is None:
                new.append(
                    OrgWarning(
                        organization=org,
                        kind=kind,
                        detail=detail[:300],
                        raised_on=today,
                        recurrence=previous.get((org.pk, kind), 0) + 1,
                    )
                )
            elif w.detail != detail[:300]:
                w.detail = detail[:300]
                w.save(update_fields=["detail"])
        for (oid, kind), w in active.items():
            if oid == org.pk and kind not in found and w.state == c.WarningState.OPEN:
                w.state, w.cleared_on = c.WarningState.CLEARED, today
                w.save(update_fields=["state", "cleared_on"])
                cleared += 1
    OrgWarning.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent scan raised it first
    raised = len(new)
    return raised, cleared


@transaction.atomic
def rectification_open(
    *, actor, warning: OrgWarning, issue: str, owner, deadline: dt.date
) -> Rectification:
    warning = OrgWarning.objects.select_for_update().get(pk=warning.pk)
    require_scope(actor, warning.organization, CHANGE)
    if warning.state != c.WarningState.OPEN:
        raise Conflict(_("只有待整改的预警可以建立整改任务。"))
    issue = (issue or "").strip()
    if not issue:
        raise ValidationFailed(_("请填写整改问题。"))
    if (
        owner is None
        or not PartyOrganization.objects.restrict(owner, CHANGE)
        .filter(pk=warning.organization_id)
        .exists()
    ):
        raise ValidationFailed(_("责任人须对该党组织有管理权限。"))
    if deadline < timezone.localdate():
        raise ValidationFailed(_("整改期限不能早于今天。"))
    rect = Rectification.objects.create(
        warning=warning, issue=issue[:300], owner=owner, deadline=deadline, created_by=actor
    )
    warning.state = c.WarningState.RECTIFYING
    warning.save(update_fields=["state"])
    return rect


def _rect_for_change(actor, rect: Rectification) -> Rectification:
    rect = (
        Rectification.objects.select_for_update()
        .select_related("warning__organization")
        .get(pk=rect.pk)
    )
    require_scope(actor, rect.warning.organization, CHANGE)
    if rect.closed_at is not None:
        raise Conflict(_("整改已完成。"))
    return rect


@transaction.atomic
def rectification_note(*, actor, rectification: Rectification, text: str) -> RectificationNote:
    rect = _rect_for_change(actor, rectification)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写进展情况。"))
    return RectificationNote.objects.create(rectification=rect, text=text[:2000], author=actor)


@transaction.atomic
def rectification_close(*, actor, rectification: Rectification, evidence: str) -> Rectification:
    """Close with evidence. The warning is closed; if its condition persists, the next scan
    raises it again (with a higher recurrence)."""
    rect = _rect_for_change(actor, rectification)
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationFailed(_("请填写整改佐证。"), details={"evidence": [_("不能为空。")]})
    rect.evidence, rect.closed_at, rect.closed_by = evidence[:4000], timezone.now(), actor
    rect.save(update_fields=["evidence", "closed_at", "closed_by"])
    OrgWarning.objects.filter(pk=rect.warning_id).update(state=c.WarningState.CLOSED)
    return rect


def assignment_criteria(a: EvaluationAssignment) -> list:
    """The criteria an assignment is scored on; a round without a form for its direction (the
    form was removed) cannot be filled in, and says so."""
    form = a.round.form_for(a.direction)
    if form is None:
        raise NotFound(_("该轮评价没有这一方向的评价表,请联系组织部。"))
    return list(form.criteria.all())
