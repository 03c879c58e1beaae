"""Questionnaires: build, sample, publish (SMS links), answer once, close."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.models import Case, Notification
from civicgrid.cases.notifications import deliver
from civicgrid.core import crypto
from civicgrid.core.errors import Conflict, NotFound, ValidationFailed
from civicgrid.geo.models import Area
from civicgrid.people.models import Resident

from .. import sampling
from ..choices import (
    FrameKind,
    QuestionKind,
    QuestionnaireMode,
    QuestionnairePurpose,
    QuestionnaireStatus,
)
from ..models import (
    AnswerItem,
    Invitation,
    OpenParticipation,
    Question,
    Questionnaire,
    Response,
    Sample,
)
from ._common import clean_text, require_area, require_obj, subtree_ids

MAX_OPTIONS = 20
MAX_SAMPLE = 20000
TEXT_MAX = 2000
DONE_STATUSES = ("resolved", "rated", "closed")


class AlreadyAnswered(Conflict):
    code = "already_answered"
    default_message = _("您已提交过这份问卷,每人只能提交一次。")


class SurveyClosed(Conflict):
    code = "survey_closed"
    default_message = _("问卷未开放或已结束。")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_path(token: str) -> str:
    return f"/surveys/a/{token}/"


def _require_draft(q: Questionnaire) -> None:
    if q.status != QuestionnaireStatus.DRAFT:
        raise Conflict(_("问卷已发布,不能再修改题目或样本。"))


@transaction.atomic
def questionnaire_create(
    *,
    actor,
    area: Area,
    title: str,
    description: str = "",
    mode: str = QuestionnaireMode.SAMPLED,
    purpose: str = QuestionnairePurpose.GENERAL,
    anonymous: bool = True,
) -> Questionnaire:
    require_area(actor, area)
    title = clean_text(title, field="title", label=_("标题"), max_length=100)
    description = clean_text(
        description, field="description", label=_("说明"), max_length=2000, required=False
    )
    if mode not in QuestionnaireMode.values:
        raise ValidationFailed(_("未知的问卷方式。"), details={"mode": [_("无效。")]})
    if purpose not in QuestionnairePurpose.values:
        raise ValidationFailed(_("未知的问卷用途。"), details={"purpose": [_("无效。")]})
    return Questionnaire.objects.create(
        area=area,
        title=title,
        description=description,
        mode=mode,
        purpose=purpose,
        anonymous=anonymous,
        public_key=secrets.token_urlsafe(12)[:16],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def question_add(
    *,
    actor,
    questionnaire: Questionnaire,
    kind: str,
    text: str,
    required: bool = True,
    options: list[str] | None = None,
    scale_max: int = 5,
    satisfaction: bool = False,
) -> Question:
    q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    require_obj(actor, q)
    _require_draft(q)
    text = clean_text(text, field="text", label=_("题目"), max_length=300)
    if kind not in QuestionKind.values:
        raise ValidationFailed(_("未知的题型。"), details={"kind": [_("无效。")]})
    opts = [o.strip() for o in (options or []) if o and o.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(opts) < 2:
            raise ValidationFailed(
                _("选择题至少需要两个选项。"), details={"options": [_("过少。")]}
            )
        if len(opts) > MAX_OPTIONS or len(set(opts)) != len(opts):
            raise ValidationFailed(
                _("选项不能重复,且不超过 20 个。"), details={"options": [_("无效。")]}
            )
        if any(len(o) > 100 for o in opts):
            raise ValidationFailed(
                _("每个选项不能超过 100 字。"), details={"options": [_("过长。")]}
            )
    else:
        opts = []
    if kind == QuestionKind.SCALE and scale_max not in (5, 10):
        raise ValidationFailed(
            _("量表只能是 1–5 分或 1–10 分。"), details={"scale_max": [_("无效。")]}
        )
    position = (q.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    return Question.objects.create(
        questionnaire=q,
        position=position,
        kind=kind,
        text=text,
        required=required,
        options=opts,
        scale_max=scale_max if kind == QuestionKind.SCALE else 5,
        satisfaction=satisfaction and kind == QuestionKind.SCALE,
    )


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> None:
    q = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    require_obj(actor, q)
    _require_draft(q)
    siblings = list(q.questions.order_by("position"))
    i = next(i for i, s in enumerate(siblings) if s.pk == question.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(siblings):
        return
    a, b = siblings[i], siblings[j]
    # Through a free position, so that the unique (questionnaire, position) holds throughout.
    free = len(siblings) + 1
    pa, pb = a.position, b.position
    Question.objects.filter(pk=a.pk).update(position=free)
    Question.objects.filter(pk=b.pk).update(position=pa)
    Question.objects.filter(pk=a.pk).update(position=pb)


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    q = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    require_obj(actor, q)
    _require_draft(q)
    question.delete()
    for i, s in enumerate(q.questions.order_by("position"), start=1):
        if s.position != i:
            Question.objects.filter(pk=s.pk).update(position=i)


# ------------------------------------------------------------------------------ the frame


def _age_bounds(reference: dt.date, age_min, age_max):
    """Birth-date bounds for ages in [age_min, age_max] on the reference date."""
    born_after = born_before = None
    if age_max is not None:
        born_after = reference.replace(year=reference.year - int(age_max) - 1) + dt.timedelta(
            days=1
        )
    if age_min is not None:
        born_before = reference.replace(year=reference.year - int(age_min))
    return born_after, born_before


def frame_units(*, actor, frame_kind: str, area: Area, filters: dict, reference_date: dt.date):
    """The sampling frame as units, within the actor's scope, ordered by their key source."""
    ids = subtree_ids(area)
    if frame_kind == FrameKind.RESIDENTS:
        qs = Resident.objects.all() if actor is None else Resident.objects.restrict(actor)
        qs = qs.filter(area_id__in=ids)
        if filters.get("special_groups"):
            qs = qs.filter(special_groups__code__in=filters["special_groups"]).distinct()
        if filters.get("attention_levels"):
            qs = qs.filter(attention_level__in=filters["attention_levels"])
        age_min, age_max = filters.get("age_min"), filters.get("age_max")
        if age_min is not None or age_max is not None:
            after, before = _age_bounds(reference_date, age_min, age_max)
            qs = qs.filter(birth_date__isnull=False)
            if after:
                qs = qs.filter(birth_date__gte=after)
            if before:
                qs = qs.filter(birth_date__lte=before)
        rows = qs.order_by("id").values_list("id", "area_id")
        return [sampling.Unit(key_source=str(pk), stratum=a, resident_id=pk) for pk, a in rows]
    if frame_kind == FrameKind.CASE_REPORTERS:
        qs = Case.objects.all() if actor is None else Case.objects.restrict(actor)
        qs = qs.filter(area_id__in=ids, status__in=DONE_STATUSES).exclude(reporter_phone="")
        start, end = filters.get("resolved_from"), filters.get("resolved_to")
        if start:
            qs = qs.filter(resolved_at__date__gte=dt.date.fromisoformat(start))
        if end:
            qs = qs.filter(resolved_at__date__lte=dt.date.fromisoformat(end))
        if filters.get("item_codes"):
            qs = qs.filter(item__code__in=filters["item_codes"])
        by_phone: dict[str, sampling.Unit] = {}
        for a, phone in qs.order_by("id").values_list("area_id", "reporter_phone"):
            index = crypto.blind_index(phone)
            if index and index not in by_phone:
                by_phone[index] = sampling.Unit(key_source=index, stratum=a, phone=phone)
        residents = dict(
            Resident.objects.filter(phone_index__in=list(by_phone), area_id__in=ids)
            .order_by("-id")
            .values_list("phone_index", "id")
        )
        return [
            sampling.Unit(
                key_source=k, stratum=u.stratum, phone=u.phone, resident_id=residents.get(k)
            )
            for k, u in sorted(by_phone.items())
        ]
    raise ValidationFailed(_("未知的抽样框。"), details={"frame_kind": [_("无效。")]})


def _clean_filters(frame_kind: str, filters: dict | None) -> dict:
    filters = dict(filters or {})
    out: dict = {}
    if frame_kind == FrameKind.RESIDENTS:
        if filters.get("special_groups"):
            out["special_groups"] = sorted({str(c) for c in filters["special_groups"]})
        if filters.get("attention_levels"):
            levels = sorted({str(c) for c in filters["attention_levels"]})
            if not set(levels) <= {"green", "yellow", "red"}:
                raise ValidationFailed(
                    _("未知的关注等级。"), details={"attention_levels": [_("无效。")]}
                )
            out["attention_levels"] = levels
        for key in ("age_min", "age_max"):
            v = filters.get(key)
            if v not in (None, ""):
                try:
                    v = int(v)
                except (TypeError, ValueError):
                    raise ValidationFailed(_("年龄应为整数。"), details={key: [_("无效。")]})
                if not 0 <= v <= 120:
                    raise ValidationFailed(
                        _("年龄应在 0 到 120 之间。"), details={key: [_("无效。")]}
                    )
                out[key] = v
        if out.get("age_min") is not None and out.get("age_max") is not None:
            if out["age_min"] > out["age_max"]:
                raise ValidationFailed(
                    _("最小年龄不能大于最大年龄。"), details={"age_min": [_("无效。")]}
                )
    else:
        for key in ("resolved_from", "resolved_to"):
            v = filters.get(key)
            if v:
                try:
                    out[key] = dt.date.fromisoformat(str(v)).isoformat()
                except ValueError:
                    raise ValidationFailed(
                        _("日期格式应为 YYYY-MM-DD。"), details={key: [_("无效。")]}
                    )
        if filters.get("item_codes"):
            out["item_codes"] = sorted({str(c) for c in filters["item_codes"]})
    return out


@transaction.atomic
def sample_draw(
    *,
    actor,
    questionnaire: Questionnaire,
    area: Area,
    size: int,
    seed: str | None = None,
    frame_kind: str = FrameKind.RESIDENTS,
    filters: dict | None = None,
    stratify: bool = False,
    reference_date: dt.date | None = None,
) -> Sample:
    """Draw (or draw again, while a draft) the sample and create one invitation per person."""
    q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    require_obj(actor, q)
    _require_draft(q)
    if q.mode != QuestionnaireMode.SAMPLED:
        raise ValidationFailed(_("公开问卷不需要抽样。"))
    require_area(actor, area)
    if not area.path.startswith(q.area.path):
        raise ValidationFailed(
            _("抽样区划须在问卷发起区划之内。"), details={"area": [_("超出范围。")]}
        )
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise ValidationFailed(_("样本量应为整数。"), details={"size": [_("无效。")]})
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationFailed(
            _("样本量应在 1 到 20000 之间。"), details={"size": [_("超出范围。")]}
        )
    seed = (seed or "").strip() or str(secrets.randbelow(10**9))
    if len(seed) > 40:
        raise ValidationFailed(_("随机种子不能超过 40 个字符。"), details={"seed": [_("过长。")]})
    filters = _clean_filters(frame_kind, filters)
    reference_date = reference_date or timezone.localdate()
    units = frame_units(
        actor=actor,
        frame_kind=frame_kind,
        area=area,
        filters=filters,
        reference_date=reference_date,
    )
    if not units:
        raise ValidationFailed(
            _("抽样框为空:没有符合条件的居民。"), details={"size": [_("抽样框为空。")]}
        )
    chosen = sampling.draw(units, seed=seed, size=size, stratify=stratify)
    Sample.objects.filter(questionnaire=q).delete()
    q.invitations.all().delete()
    sample = Sample.objects.create(
        questionnaire=q,
        frame_kind=frame_kind,
        area=area,
        filters=filters,
        size=len(chosen),
        seed=seed,
        stratify=stratify,
        frame_size=len(units),
        frame_hash=sampling.frame_hash(units),
        reference_date=reference_date,
        drawn_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    phones = {}
    if frame_kind == FrameKind.RESIDENTS:
        phones = dict(
            Resident.objects.filter(pk__in=[u.resident_id for _k, u in chosen]).values_list(
                "id", "phone"
            )
        )
    invitations = []
    for key, unit in chosen:
        phone = unit.phone or phones.get(unit.resident_id, "")
        invitations.append(
            Invitation(
                questionnaire=q,
                resident_id=unit.resident_id,
                area_id=unit.stratum,
                stratum=str(unit.stratum),
                phone=phone,
                phone_index=crypto.blind_index(phone) if phone else "",
                token_hash=token_hash(secrets.token_urlsafe(24)),  # replaced when sent
                sort_key=key,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    return sample


def _sms_text(q: Questionnaire, link: str) -> str:
    return _(
        "【善治网格】%(area)s邀请您参加问卷「%(title)s」,请打开 %(link)s 填写(本人专用,仅可提交一次)。"
    ) % {
        "area": q.area.name,
        "title": q.title,
        "link": link,
    }


def _send(q: Questionnaire, invitations, now) -> list[tuple[Invitation, str]]:
    """New one-time tokens, an SMS per person with a phone. The recorded message shows the
    link shortened: the full token exists only in the SMS (only its hash is kept)."""
    base = getattr(settings, "CIVICGRID_PUBLIC_BASE_URL", "").rstrip("/")
    sent = []
    for inv in invitations:
        token = secrets.token_urlsafe(18)
        inv.token_hash = token_hash(token)
        inv.sent_at = now if inv.phone else None
        Invitation.objects.filter(pk=inv.pk).update(token_hash=inv.token_hash, sent_at=inv.sent_at)
        if inv.phone:
            full = _sms_text(q, base + answer_path(token))
            recorded = _sms_text(q, base + answer_path(token[:4] + "…"))
            Notification.objects.create(
                channel="sms", recipient=inv.phone[-4:], message=recorded[:500]
            )
            phone = inv.phone
            transaction.on_commit(lambda phone=phone, full=full: deliver("sms", phone, full))
        sent.append((inv, token))
    return sent


@transaction.atomic
def questionnaire_publish(*, actor, questionnaire: Questionnaire) -> list[tuple[Invitation, str]]:
    """Publish; for a sampled questionnaire send every sampled person their link. Returns the
    (invitation, token) pairs so that a caller may hand links out another way."""
    q = Questionnaire.objects.select_for_update().select_related("area").get(pk=questionnaire.pk)
    require_obj(actor, q)
    _require_draft(q)
    if not q.questions.exists():
        raise ValidationFailed(_("问卷还没有题目。"))
    if q.mode == QuestionnaireMode.SAMPLED and not Sample.objects.filter(questionnaire=q).exists():
        raise ValidationFailed(_("请先抽取样本。"))
    now = timezone.now()
    Questionnaire.objects.filter(pk=q.pk).update(
        status=QuestionnaireStatus.PUBLISHED, published_at=now
    )
    questionnaire.status, questionnaire.published_at = QuestionnaireStatus.PUBLISHED, now
    if q.mode != QuestionnaireMode.SAMPLED:
        return []
    return _send(q, list(q.invitations.order_by("sort_key")), now)


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> str:
    """A new link for one person (the old one stops working)."""
    inv = (
        Invitation.objects.select_for_update()
        .select_related("questionnaire__area")
        .get(pk=invitation.pk)
    )
    require_obj(actor, inv)
    if inv.answered:
        raise AlreadyAnswered(_("该居民已提交问卷。"))
    if inv.questionnaire.status != QuestionnaireStatus.PUBLISHED:
        raise SurveyClosed()
    return _send(inv.questionnaire, [inv], timezone.now())[0][1]


@transaction.atomic
def questionnaire_close(*, actor, questionnaire: Questionnaire) -> None:
    q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    require_obj(actor, q)
    if q.status != QuestionnaireStatus.PUBLISHED:
        raise Conflict(_("只有已发布的问卷可以结束。"))
    Questionnaire.objects.filter(pk=q.pk).update(
        status=QuestionnaireStatus.CLOSED, closed_at=timezone.now()
    )
    questionnaire.status = QuestionnaireStatus.CLOSED


# ------------------------------------------------------------------------------ answering


def invitation_for_token(token: str) -> Invitation:
    inv = (
        Invitation.objects.select_related("questionnaire__area")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if inv is None:
        raise NotFound(_("链接无效或已失效。"))
    return inv


def open_key_hash(questionnaire: Questionnaire, key: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{questionnaire.pk}:{key}".encode(), hashlib.sha256).hexdigest()


def clean_answers(questions: list[Question], raw: dict[int, list[str]]) -> list[AnswerItem]:
    """Check the answers against the questions; every problem goes in ``details``."""
    problems: dict[str, list[str]] = {}
    items: list[AnswerItem] = []
    for q in questions:
        values = [v.strip() for v in raw.get(q.pk, []) if v is not None and str(v).strip()]
        key = f"q{q.pk}"
        if not values:
            if q.required:
                problems[key] = [_("此题必答。")]
            continue
        if q.kind == QuestionKind.TEXT:
            text = "\n".join(values)
            if len(text) > TEXT_MAX:
                problems[key] = [_("不能超过 2000 字。")]
                continue
            items.append(AnswerItem(question=q, text=text))
            continue
        try:
            numbers = [int(v) for v in values]
        except ValueError:
            problems[key] = [_("答案无效。")]
            continue
        if q.kind == QuestionKind.SCALE:
            if len(numbers) != 1 or not 1 <= numbers[0] <= q.scale_max:
                problems[key] = [_("请在 1 到 %(n)d 分之间打分。") % {"n": q.scale_max}]
                continue
            items.append(AnswerItem(question=q, number=numbers[0]))
            continue
        if any(not 0 <= n < len(q.options) for n in numbers) or len(set(numbers)) != len(numbers):
            problems[key] = [_("所选选项无效。")]
            continue
        if q.kind == QuestionKind.SINGLE and len(numbers) != 1:
            problems[key] = [_("此题只能选一项。")]
            continue
        items.extend(AnswerItem(question=q, option=n) for n in sorted(numbers))
    if problems:
        raise ValidationFailed(_("请检查标出的题目。"), details=problems)
    return items


def _with_retry(fn):
    """SQLite reports a competing writer as 'locked': try again, so that the loser of a race
    is told that the questionnaire was already answered rather than a database error."""
    for attempt in range(8):
        try:
            return fn()
        except OperationalError as e:
            if "locked" not in str(e) or attempt == 7:
                raise
            time.sleep(0.05 * (attempt + 1))


def response_submit(
    *,
    questionnaire: Questionnaire,
    answers: dict[int, list[str]],
    token: str | None = None,
    open_key: str | None = None,
) -> Response:
    """Store one answer sheet. Sampled: through the personal token, once per invitation.
    Open: once per portal session or account (``open_key``)."""
    return _with_retry(lambda: _response_submit(questionnaire, answers, token, open_key))


@transaction.atomic
def _response_submit(questionnaire, answers, token, open_key) -> Response:
    q = Questionnaire.objects.get(pk=questionnaire.pk)
    if q.status != QuestionnaireStatus.PUBLISHED:
        raise SurveyClosed()
    items = clean_answers(list(q.questions.order_by("position")), answers)
    now = timezone.now()
    invitation = None
    if q.mode == QuestionnaireMode.SAMPLED:
        inv = Invitation.objects.filter(token_hash=token_hash(token or ""), questionnaire=q).first()
        if inv is None:
            raise NotFound(_("链接无效或已失效。"))
        # The conditional update is the guard: of two submissions at once exactly one finds
        # answered = false (the other waits on the row lock, then finds it true).
        done = Invitation.objects.filter(pk=inv.pk, answered=False).update(
            answered=True, answered_at=None if q.anonymous else now
        )
        if not done:
            raise AlreadyAnswered()
        invitation = None if q.anonymous else inv
    else:
        if not open_key:
            raise ValidationFailed(_("请在浏览器中打开问卷链接填写。"))
        try:
            with transaction.atomic():
                OpenParticipation.objects.create(
                    questionnaire=q, key_hash=open_key_hash(q, open_key)
                )
        except IntegrityError:
            raise AlreadyAnswered()
    response = Response.objects.create(
        questionnaire=q, invitation=invitation, submitted_at=None if q.anonymous else now
    )
    for item in items:
        item.response = response
    AnswerItem.objects.bulk_create(items)
    return response
