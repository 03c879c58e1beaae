"""Writes for livelihood-project votes (民生实事票决制).

Secret ballot: `ballot_cast` marks the deputy as having voted (Deputy.voted_at, by a conditional
UPDATE that only one of two concurrent submissions can win) and stores the ballot as a separate
row with a random id, no time and no deputy — so ballots cannot be linked to voters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.geo.models import Area

from ..choices import ProjectOrigin, VoteStatus
from ..models import Ballot, Deputy, Milestone, Project, Vote
from ._common import clean_text, log, require_change

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(CODE_ALPHABET[b % 32] for b in secrets.token_bytes(CODE_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"vote-code:" + normalize_code(code).encode(), hashlib.sha256).hexdigest()


def _lock_vote(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().select_related("area").get(pk=vote.pk)


@transaction.atomic
def vote_create(
    *, actor, area: Area, title: str, opens_at: dt.datetime, closes_at: dt.datetime, seats: int
) -> Vote:
    require_change(actor, area)
    if area.level == Area.Level.COMMUNITY:
        raise ValidationFailed(
            _("票决在县(区)或街道(镇)一级进行。"), details={"area": [_("层级不符。")]}
        )
    title = clean_text(title, field="title", label=_("票决名称"), max_length=120)
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise ValidationFailed(
            _("投票截止时间须晚于开始时间。"), details={"closes_at": [_("无效。")]}
        )
    if not seats or seats < 1 or seats > 50:
        raise ValidationFailed(_("入选项目数须在 1 到 50 之间。"), details={"seats": [_("无效。")]})
    vote = Vote.objects.create(
        area=area,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        seats=seats,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log(actor=actor, area=area, action="vote_create", obj=vote)
    return vote


@transaction.atomic
def project_add(
    *,
    actor,
    vote: Vote,
    title: str,
    description: str,
    cost,
    area: Area,
    origin: str,
    proposer: str = "",
) -> Project:
    vote = _lock_vote(vote)
    require_change(actor, vote)
    if vote.status != VoteStatus.DRAFT:
        raise Conflict(_("投票已开始,不能再增加候选项目。"))
    if origin not in ProjectOrigin.values:
        raise ValidationFailed(_("未知的项目来源。"), details={"origin": [_("无效。")]})
    if area is None or not area.path.startswith(vote.area.path):
        raise ValidationFailed(_("实施区域须在本次票决的区划内。"), details={"area": [_("不符。")]})
    try:
        cost = Decimal(str(cost))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("估算投资须是数字。"), details={"cost": [_("无效。")]})
    if cost <= 0 or cost > Decimal("99999999"):
        raise ValidationFailed(_("估算投资须大于 0。"), details={"cost": [_("无效。")]})
    project = Project.objects.create(
        vote=vote,
        title=clean_text(title, field="title", label=_("项目名称"), max_length=120),
        description=clean_text(
            description, field="description", label=_("项目内容"), max_length=4000
        ),
        cost=cost,
        area=area,
        origin=origin,
        proposer=clean_text(
            proposer, field="proposer", label=_("提出单位/群众"), max_length=100, required=False
        ),
    )
    log(actor=actor, area=vote.area, action="project_add", obj=project)
    return project


@transaction.atomic
def deputies_add(*, actor, vote: Vote, names: list[str], users=None) -> list[tuple[Deputy, str]]:
    """Register deputies; returns each with their one-time code (shown once, never stored)."""
    vote = _lock_vote(vote)
    require_change(actor, vote)
    if vote.status == VoteStatus.PUBLISHED:
        raise Conflict(_("结果已公布,不能再增加代表。"))
    users = list(users or [None] * len(names))
    out = []
    for name, user in zip(names, users, strict=True):
        name = clean_text(name, field="names", label=_("代表姓名"), max_length=50)
        code = new_code()
        out.append(
            (
                Deputy.objects.create(vote=vote, name=name, user=user, code_hash=code_hash(code)),
                code,
            )
        )
    if not out:
        raise ValidationFailed(_("请至少填写一名代表。"), details={"names": [_("必填。")]})
    log(actor=actor, area=vote.area, action="deputies_add", obj=vote, data={"n": len(out)})
    return out


@transaction.atomic
def vote_open(*, actor, vote: Vote) -> Vote:
    vote = _lock_vote(vote)
    require_change(actor, vote)
    if vote.status != VoteStatus.DRAFT:
        raise Conflict(_("投票已经开始。"))
    n = vote.projects.count()
    if n < 1:
        raise ValidationFailed(_("请先添加候选项目。"))
    if not vote.deputies.exists():
        raise ValidationFailed(_("请先登记人大代表。"))
    vote.status = VoteStatus.OPEN
    vote.save(update_fields=["status"])
    log(actor=actor, area=vote.area, action="vote_open", obj=vote, data={"projects": n})
    return vote


@transaction.atomic
def ballot_cast(*, actor, vote: Vote, code: str, project_ids: list[int]) -> Ballot:
    """One secret ballot per deputy. Refused (and nothing written) outside the window, with an
    unknown code, with a code already used, or with a choice of more projects than seats."""
    vote = Vote.objects.get(pk=vote.pk)
    now = timezone.now()
    if vote.status == VoteStatus.PUBLISHED:
        raise ValidationFailed(_("投票已经结束。"), code="vote_closed")
    if vote.status != VoteStatus.OPEN or now < vote.opens_at:
        raise ValidationFailed(
            _("投票尚未开始(开始时间 %(t)s)。")
            % {"t": f"{timezone.localtime(vote.opens_at):%Y-%m-%d %H:%M}"},
            code="vote_not_open",
        )
    if now >= vote.closes_at:
        raise ValidationFailed(
            _("投票已于 %(t)s 截止。")
            % {"t": f"{timezone.localtime(vote.closes_at):%Y-%m-%d %H:%M}"},
            code="vote_closed",
        )
    deputy = Deputy.objects.filter(vote=vote, code_hash=code_hash(code)).first()
    if deputy is None:
        raise NotFound(_("投票码无效,请核对代表证上的投票码。"))
    chosen = sorted(set(int(p) for p in project_ids))
    if not chosen:
        raise ValidationFailed(_("请至少选择一个项目。"), details={"projects": [_("必填。")]})
    if len(chosen) > vote.seats:
        raise ValidationFailed(
            _("最多只能选择 %(n)d 个项目(选了 %(m)d 个)。") % {"n": vote.seats, "m": len(chosen)},
            details={"projects": [_("过多。")]},
        )
    if vote.projects.filter(pk__in=chosen).count() != len(chosen):
        raise ValidationFailed(_("所选项目不在本次票决的候选项目中。"))
    won = Deputy.objects.filter(pk=deputy.pk, voted_at__isnull=True).update(voted_at=now)
    if won != 1:
        raise Conflict(_("该投票码已经投过票,每位代表只能投一次。"), code="already_voted")
    ballot = Ballot.objects.create(vote=vote, choices=chosen)
    return ballot


@transaction.atomic
def vote_publish(*, actor, vote: Vote) -> Vote:
    """Count the ballots once the window has closed; the top `seats` projects are chosen
    (ties: more votes, then lower cost, then earlier submission)."""
    vote = _lock_vote(vote)
    require_change(actor, vote)
    if vote.status != VoteStatus.OPEN:
        raise Conflict(_("只有进行中的投票才能计票公布。"))
    if timezone.now() < vote.closes_at:
        raise ValidationFailed(_("投票尚未截止,截止后才能计票。"))
    counts: dict[int, int] = {}
    for choices in Ballot.objects.filter(vote=vote).values_list("choices", flat=True):
        for pid in choices:
            counts[pid] = counts.get(pid, 0) + 1
    projects = sorted(
        vote.projects.all(), key=lambda p: (-counts.get(p.pk, 0), p.cost, p.created_at, p.pk)
    )
    for i, p in enumerate(projects, 1):
        p.votes, p.rank, p.chosen = (
            counts.get(p.pk, 0),
            i,
            i <= vote.seats and counts.get(p.pk, 0) > 0,
        )
    Project.objects.bulk_update(projects, ["votes", "rank", "chosen"])
    vote.status = VoteStatus.PUBLISHED
    vote.published_at = timezone.now()
    vote.save(update_fields=["status", "published_at"])
    log(
        actor=actor,
        area=vote.area,
        action="vote_publish",
        obj=vote,
        data={
            "ballots": Ballot.objects.filter(vote=vote).count(),
            "deputies": vote.deputies.count(),
        },
    )
    return vote


@transaction.atomic
def milestone_add(
    *, actor, project: Project, title: str, progress: int, reached_on: dt.date, note: str = ""
) -> Milestone:
    project = Project.objects.select_for_update().select_related("vote__area").get(pk=project.pk)
    require_change(actor, project)
    if not project.chosen:
        raise ValidationFailed(_("只有入选项目才跟踪进度。"))
    if progress is None or not (0 <= progress <= 100):
        raise ValidationFailed(_("进度须在 0 到 100 之间。"), details={"progress": [_("无效。")]})
    if progress < project.progress:
        raise ValidationFailed(
            _("进度不能倒退(当前 %(p)d%%)。") % {"p": project.progress},
            details={"progress": [_("无效。")]},
        )
    if reached_on is None or reached_on > timezone.localdate():
        raise ValidationFailed(_("完成日期不能晚于今天。"), details={"reached_on": [_("无效。")]})
    milestone = Milestone.objects.create(
        project=project,
        title=clean_text(title, field="title", label=_("节点"), max_length=120),
        progress=progress,
        reached_on=reached_on,
        note=clean_text(note, field="note", label=_("说明"), max_length=400, required=False),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    project.progress = progress
    project.done_at = timezone.now() if progress == 100 else None
    project.save(update_fields=["progress", "done_at"])
    log(
        actor=actor,
        area=project.vote.area,
        action="milestone_add",
        obj=milestone,
        data={"progress": progress},
    )
    return milestone
