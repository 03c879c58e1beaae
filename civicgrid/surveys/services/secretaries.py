"""Secretary-led projects, responsibility lists, area meetings and the annual review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from civicgrid.geo.models import Area
from civicgrid.orgs.models import PartyOrganization

from ..choices import ItemStatus, ListKind
from ..models import (
    AreaMeeting,
    Milestone,
    ProgressReport,
    Questionnaire,
    ResponsibilityItem,
    ReviewCriterion,
    ReviewReport,
    ReviewRound,
    ReviewScore,
    SecretaryProfile,
    SecretaryProject,
)
from ._common import clean_text, require_area, require_obj


def _org_area(org: PartyOrganization) -> Area:
    if org.grid_id:
        return org.grid.community
    return org.area


def _may_write_for(actor, secretary: SecretaryProfile) -> None:
    """The secretary themselves, or staff who may change rows in the secretary's area."""
    if actor is not None and secretary.user_id == actor.pk:
        return
    require_obj(actor, secretary)


@transaction.atomic
def secretary_appoint(*, actor, user, organization: PartyOrganization) -> SecretaryProfile:
    area = _org_area(organization)
    require_area(actor, area)
    profile, _created = SecretaryProfile.objects.get_or_create(
        user=user, organization=organization, defaults={"area": area}
    )
    if not profile.active:
        SecretaryProfile.objects.filter(pk=profile.pk).update(active=True)
    return profile


@transaction.atomic
def project_create(
    *, actor, secretary: SecretaryProfile, title: str, goal: str, year: int, public: bool = True
) -> SecretaryProject:
    _may_write_for(actor, secretary)
    title = clean_text(title, field="title", label=_("项目名称"), max_length=120)
    goal = clean_text(goal, field="goal", label=_("目标"), max_length=2000)
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("年度无效。"), details={"year": [_("无效。")]})
    return SecretaryProject.objects.create(
        secretary=secretary,
        area=secretary.area,
        title=title,
        goal=goal,
        year=int(year),
        public=public,
    )


@transaction.atomic
def milestone_add(*, actor, project: SecretaryProject, title: str, due_on: dt.date) -> Milestone:
    _may_write_for(actor, project.secretary)
    title = clean_text(title, field="title", label=_("节点"), max_length=120)
    return Milestone.objects.create(project=project, title=title, due_on=due_on)


@transaction.atomic
def milestone_set_done(
    *, actor, milestone: Milestone, done: bool, on: dt.date | None = None
) -> None:
    _may_write_for(actor, milestone.project.secretary)
    Milestone.objects.filter(pk=milestone.pk).update(
        done_on=(on or timezone.localdate()) if done else None
    )


@transaction.atomic
def progress_report(
    *, actor, project: SecretaryProject, month: dt.date, text: str, percent: int
) -> ProgressReport:
    """The monthly report; a second report for the same month replaces the first."""
    _may_write_for(actor, project.secretary)
    text = clean_text(text, field="text", label=_("进展"), max_length=2000)
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("完成比例应为 0 到 100 的整数。"), details={"percent": [_("无效。")]}
        )
    if not 0 <= percent <= 100:
        raise ValidationFailed(
            _("完成比例应为 0 到 100 的整数。"), details={"percent": [_("超出范围。")]}
        )
    month = month.replace(day=1)
    report, _c = ProgressReport.objects.update_or_create(
        project=project,
        month=month,
        defaults={
            "text": text,
            "percent": percent,
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    latest = project.reports.order_by("-month").first()
    SecretaryProject.objects.filter(pk=project.pk).update(
        percent=latest.percent, status="done" if latest.percent == 100 else "active"
    )
    return report


@transaction.atomic
def responsibility_add(
    *, actor, secretary: SecretaryProfile, kind: str, title: str, due_on: dt.date | None = None
) -> ResponsibilityItem:
    require_obj(actor, secretary)
    if kind not in ListKind.values:
        raise ValidationFailed(_("未知的清单类型。"), details={"kind": [_("无效。")]})
    title = clean_text(title, field="title", label=_("事项"), max_length=200)
    return ResponsibilityItem.objects.create(
        secretary=secretary, area=secretary.area, kind=kind, title=title, due_on=due_on
    )


@transaction.atomic
def responsibility_set_status(*, actor, item: ResponsibilityItem, status: str) -> None:
    _may_write_for(actor, item.secretary)
    if status not in ItemStatus.values:
        raise ValidationFailed(_("未知的状态。"), details={"status": [_("无效。")]})
    ResponsibilityItem.objects.filter(pk=item.pk).update(
        status=status, done_on=timezone.localdate() if status == ItemStatus.DONE else None
    )


@transaction.atomic
def meeting_record(
    *, actor, area: Area, held_on: dt.date, title: str, notes: str = ""
) -> AreaMeeting:
    require_area(actor, area)
    title = clean_text(title, field="title", label=_("主题"), max_length=120)
    notes = clean_text(notes, field="notes", label=_("纪要"), max_length=4000, required=False)
    return AreaMeeting.objects.create(
        area=area,
        held_on=held_on,
        title=title,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def review_round_create(
    *,
    actor,
    area: Area,
    year: int,
    title: str,
    criteria: list[tuple[str, int]],
    weight_reviewers: int = 70,
    weight_satisfaction: int = 30,
    questionnaire: Questionnaire | None = None,
) -> ReviewRound:
    require_area(actor, area)
    title = clean_text(title, field="title", label=_("名称"), max_length=120)
    if (
        weight_reviewers + weight_satisfaction != 100
        or min(weight_reviewers, weight_satisfaction) < 0
    ):
        raise ValidationFailed(
            _("两项权重之和须为 100。"), details={"weight_reviewers": [_("无效。")]}
        )
    if not criteria:
        raise ValidationFailed(_("请至少设置一个评分项。"), details={"criteria": [_("不能为空。")]})
    if any(not name.strip() or not 1 <= int(mx) <= 100 for name, mx in criteria):
        raise ValidationFailed(
            _("评分项须有名称,满分在 1 到 100 之间。"), details={"criteria": [_("无效。")]}
        )
    if questionnaire is not None:
        require_obj(actor, questionnaire, "view")
    if ReviewRound.objects.filter(year=year, area=area).exists():
        raise Conflict(_("该区划本年度的述职评议已存在。"))
    rnd = ReviewRound.objects.create(
        area=area,
        year=year,
        title=title,
        weight_reviewers=weight_reviewers,
        weight_satisfaction=weight_satisfaction,
        questionnaire=questionnaire,
    )
    ReviewCriterion.objects.bulk_create(
        [
            ReviewCriterion(round=rnd, name=n.strip(), max_score=int(m), position=i)
            for i, (n, m) in enumerate(criteria)
        ]
    )
    return rnd


def _in_round(rnd: ReviewRound, secretary: SecretaryProfile) -> None:
    if not secretary.area.path.startswith(rnd.area.path):
        raise ValidationFailed(_("该书记不在本次述职评议的范围内。"))


@transaction.atomic
def review_report_submit(
    *,
    actor,
    round: ReviewRound,
    secretary: SecretaryProfile,
    text: str,
    questionnaire: Questionnaire | None = None,
) -> ReviewReport:
    _may_write_for(actor, secretary)
    _in_round(round, secretary)
    text = clean_text(text, field="text", label=_("述职报告"), max_length=8000)
    if questionnaire is not None and actor is not None and secretary.user_id != actor.pk:
        require_obj(actor, questionnaire, "view")
    report, _c = ReviewReport.objects.update_or_create(
        round=round,
        secretary=secretary,
        defaults={
            "text": text,
            "submitted_at": timezone.now(),
            **({"questionnaire": questionnaire} if questionnaire else {}),
        },
    )
    return report


@transaction.atomic
def review_score(
    *, actor, round: ReviewRound, secretary: SecretaryProfile, scores: dict[int, object]
) -> list[ReviewScore]:
    """A reviewer's scores for one secretary; every criterion scored, none out of range
    (nothing is stored when one is wrong). Scoring again replaces the reviewer's scores."""
    if actor is not None and secretary.user_id == actor.pk:
        raise PermissionDenied(_("不能为自己打分。"))
    require_obj(actor, round)
    _in_round(round, secretary)
    criteria = {c.pk: c for c in round.criteria.all()}
    problems: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    for cid, c in criteria.items():
        raw = scores.get(cid, scores.get(str(cid)))
        try:
            v = Decimal(str(raw).strip())
        except (InvalidOperation, TypeError):
            problems[f"c{cid}"] = [_("请填写分数。")]
            continue
        if not Decimal(0) <= v <= c.max_score:
            problems[f"c{cid}"] = [
                _("「%(n)s」应在 0 到 %(m)d 分之间。") % {"n": c.name, "m": c.max_score}
            ]
            continue
        values[cid] = v.quantize(Decimal("0.1"))
    if problems:
        raise ValidationFailed(
            _("评分有误:") + ";".join(m for ms in problems.values() for m in ms), details=problems
        )
    out = []
    for cid, v in values.items():
        row, _c = ReviewScore.objects.update_or_create(
            secretary=secretary,
            reviewer=actor,
            criterion_id=cid,
            defaults={"round": round, "score": v},
        )
        out.append(row)
    return out


def secretary_for_user(user, pk: int) -> SecretaryProfile:
    s = (
        SecretaryProfile.objects.select_related("area", "organization", "user")
        .filter(pk=pk)
        .first()
    )
    if s is None:
        raise NotFound()
    return s
