"""Pages of the surveys app: thin views over the services and selectors."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.core.scoping import CHANGE
from civicgrid.geo.models import Area
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import PartyOrganization, Unit
from civicgrid.people.models import SpecialGroup

from .choices import (
    BankTopic,
    FrameKind,
    ItemKind,
    ItemStatus,
    ListKind,
    QuestionKind,
    QuestionnaireMode,
    QuestionnairePurpose,
    QuestionnaireStatus,
)
from .models import (
    AreaMeeting,
    Donation,
    Invitation,
    Milestone,
    QuestionBank,
    Questionnaire,
    ResponsibilityItem,
    ReviewRound,
    SecretaryProfile,
    SecretaryProject,
    TestAttempt,
    TestPaper,
    WelfareMarket,
    WelfareMilestone,
    WelfareProject,
    WelfareRound,
)
from .selectors import questionnaires as qsel
from .selectors import secretaries as ssel
from .selectors import training as tsel
from .selectors import welfare as wsel
from .services import questionnaires as qsvc
from .services import secretaries as ssvc
from .services import training as tsvc
from .services import welfare as wsvc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(model, user, pk, action="view"):
    obj = model.objects.restrict(user, action).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _areas(user):
    return Area.objects.restrict(user, CHANGE).order_by("path")


def _area(request, user, name="area"):
    try:
        return _areas(user).get(pk=int(request.POST.get(name) or 0))
    except (Area.DoesNotExist, ValueError):
        raise ValidationFailed(_("请选择您管辖范围内的区划。"), details={name: [_("无效。")]})


def _date(value, label):
    d = parse_date(value or "")
    if d is None:
        raise ValidationFailed(_("%(f)s的日期格式应为 YYYY-MM-DD。") % {"f": label})
    return d


def _int(value, label, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise ValidationFailed(_("%(f)s应为整数。") % {"f": label})


def _xlsx(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@login_required
def index(request):
    return render(request, "surveys/index.html")


# ================================================================ 1. questionnaires


@login_required
def questionnaire_list(request):
    if request.method == "POST":
        q = qsvc.questionnaire_create(
            actor=request.user,
            area=_area(request, request.user),
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            mode=request.POST.get("mode", "sampled"),
            purpose=request.POST.get("purpose", "general"),
            anonymous=bool(request.POST.get("anonymous")),
        )
        return redirect("surveys:questionnaire", q.pk)
    return render(
        request,
        "surveys/questionnaire_list.html",
        {
            "items": qsel.questionnaire_list(user=request.user)[:200],
            "areas": _areas(request.user),
            "modes": QuestionnaireMode.choices,
            "purposes": QuestionnairePurpose.choices,
        },
    )


@login_required
def questionnaire_detail(request, pk):
    q = qsel.questionnaire_get(user=request.user, pk=pk)
    if q is None:
        raise NotFound()
    sample = getattr(q, "sample", None) if hasattr(q, "sample") else None
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "q": q,
            "questions": list(q.questions.order_by("position")),
            "kinds": QuestionKind.choices,
            "sample": sample,
            "invitations": qsel.invitations(questionnaire=q)[:200],
            "n_invited": q.invitations.count(),
            "n_answered": q.invitations.filter(answered=True).count(),
            "areas": [a for a in _areas(request.user) if a.path.startswith(q.area.path)],
            "groups": SpecialGroup.objects.all(),
            "frames": FrameKind.choices,
            "draft": q.status == QuestionnaireStatus.DRAFT,
            "open_link": qsvc.answer_path("x")[:-2],
        },
    )


@login_required
@require_POST
def question_add(request, pk):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    qsvc.question_add(
        actor=request.user,
        questionnaire=q,
        kind=request.POST.get("kind", ""),
        text=request.POST.get("text", ""),
        required=bool(request.POST.get("required")),
        options=request.POST.get("options", "").splitlines(),
        scale_max=_int(request.POST.get("scale_max"), "", default=5),
        satisfaction=bool(request.POST.get("satisfaction")),
    )
    return redirect("surveys:questionnaire", q.pk)


@login_required
@require_POST
def question_edit(request, pk, qid):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    question = q.questions.filter(pk=qid).first()
    if question is None:
        raise NotFound()
    if request.POST.get("op") == "delete":
        qsvc.question_delete(actor=request.user, question=question)
    else:
        qsvc.question_move(actor=request.user, question=question, up=request.POST.get("op") == "up")
    return redirect("surveys:questionnaire", q.pk)


@login_required
@require_POST
def sample_draw(request, pk):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    p = request.POST
    frame = p.get("frame_kind", FrameKind.RESIDENTS)
    if frame == FrameKind.RESIDENTS:
        filters = {
            "special_groups": p.getlist("special_groups"),
            "attention_levels": p.getlist("attention_levels"),
            "age_min": p.get("age_min") or None,
            "age_max": p.get("age_max") or None,
        }
    else:
        filters = {"resolved_from": p.get("resolved_from"), "resolved_to": p.get("resolved_to")}
    sample = qsvc.sample_draw(
        actor=request.user,
        questionnaire=q,
        area=_area(request, request.user),
        size=p.get("size"),
        seed=p.get("seed", ""),
        frame_kind=frame,
        filters=filters,
        stratify=bool(p.get("stratify")),
    )
    messages.success(
        request,
        _("已从 %(N)d 人中抽取 %(n)d 人(种子 %(s)s)。")
        % {"N": sample.frame_size, "n": sample.size, "s": sample.seed},
    )
    return redirect("surveys:questionnaire", q.pk)


@login_required
@require_POST
def questionnaire_publish(request, pk):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    sent = qsvc.questionnaire_publish(actor=request.user, questionnaire=q)
    messages.success(
        request,
        _("问卷已发布,已向 %(n)d 人发送短信链接。") % {"n": sum(1 for i, _t in sent if i.phone)},
    )
    return redirect("surveys:questionnaire", q.pk)


@login_required
@require_POST
def questionnaire_close(request, pk):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    qsvc.questionnaire_close(actor=request.user, questionnaire=q)
    return redirect("surveys:results", q.pk)


@login_required
@require_POST
def invitation_resend(request, pk, inv):
    q = _get(Questionnaire, request.user, pk, CHANGE)
    invitation = Invitation.objects.filter(questionnaire=q, pk=inv).first()
    if invitation is None:
        raise NotFound()
    qsvc.invitation_resend(actor=request.user, invitation=invitation)
    messages.success(request, _("已重新发送链接,旧链接作废。"))
    return redirect("surveys:questionnaire", q.pk)


@login_required
def results(request, pk):
    q = qsel.questionnaire_get(user=request.user, pk=pk)
    if q is None:
        raise NotFound()
    r = qsel.results(questionnaire=q)
    if request.GET.get("format") == "xlsx":
        return _results_xlsx(q, r)
    return render(request, "surveys/results.html", {"r": r, "q": q})


def _results_xlsx(q, r) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["问卷", q.title])
    ws.append(["样本量", r["invited"] if r["invited"] is not None else "—"])
    ws.append(["抽样框人数", r["population"] or "—"])
    ws.append(["回收份数", r["responses"]])
    ws.append(["回收率%", r["response_rate"] if r["response_rate"] is not None else "—"])
    ws.append([])
    ws.append(["序号", "题目", "选项", "人数", "占比%", "误差范围±%(95%)"])
    for e in r["questions"]:
        for row in e["rows"]:
            ws.append(
                [
                    e["question"].position,
                    e["text"],
                    row["label"],
                    row["count"],
                    row["pct"],
                    row["moe"] if row["moe"] is not None else "—",
                ]
            )
    ws2 = wb.create_sheet("文字回答")
    ws2.append(["序号", "题目", "回答"])
    for e in r["questions"]:
        for t in e.get("texts", []):
            ws2.append([e["question"].position, e["text"], t])
    return _xlsx(wb, f"questionnaire-{q.pk}.xlsx")


def _raw_answers(request, questions):
    return {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}


def answer(request, token):
    """The personal link: answered on a phone, once."""
    inv = qsvc.invitation_for_token(token)
    q = inv.questionnaire
    questions = qsel.questions_for_answer(q)
    errors, values = {}, {}
    if inv.answered:
        return render(request, "surveys/answer_done.html", {"q": q, "already": True})
    if q.status != QuestionnaireStatus.PUBLISHED:
        return render(request, "surveys/answer_done.html", {"q": q, "closed": True})
    if request.method == "POST":
        values = _raw_answers(request, questions)
        try:
            qsvc.response_submit(questionnaire=q, token=token, answers=values)
            return render(request, "surveys/answer_done.html", {"q": q})
        except ValidationFailed as e:
            errors = e.details or {}
            messages.error(request, str(e.message))
    return render(
        request, "surveys/answer.html", {"q": q, "questions": _form_rows(questions, values, errors)}
    )


def answer_open(request, key):
    q = (
        Questionnaire.objects.filter(public_key=key, mode=QuestionnaireMode.OPEN)
        .select_related("area")
        .first()
    )
    if q is None or q.status == QuestionnaireStatus.DRAFT:
        raise Http404
    if q.status != QuestionnaireStatus.PUBLISHED:
        return render(request, "surveys/answer_done.html", {"q": q, "closed": True})
    questions = qsel.questions_for_answer(q)
    errors, values = {}, {}
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        key = (
            f"user:{request.user.pk}"
            if request.user.is_authenticated
            else f"session:{request.session.session_key}"
        )
        values = _raw_answers(request, questions)
        try:
            qsvc.response_submit(questionnaire=q, open_key=key, answers=values)
            return render(request, "surveys/answer_done.html", {"q": q})
        except qsvc.AlreadyAnswered:
            return render(request, "surveys/answer_done.html", {"q": q, "already": True})
        except ValidationFailed as e:
            errors = e.details or {}
            messages.error(request, str(e.message))
    return render(
        request, "surveys/answer.html", {"q": q, "questions": _form_rows(questions, values, errors)}
    )


def _form_rows(questions, values, errors):
    rows = []
    for q in questions:
        chosen = values.get(q.pk, [])
        rows.append(
            {
                "q": q,
                "name": f"q{q.pk}",
                "errors": errors.get(f"q{q.pk}", []),
                "options": [(str(i), o, str(i) in chosen) for i, o in enumerate(q.options)],
                "scale": [(str(i), str(i) in chosen) for i in range(1, q.scale_max + 1)],
                "text": chosen[0] if chosen and q.kind == QuestionKind.TEXT else "",
            }
        )
    return rows


# ================================================================ 2. staff knowledge tests


@login_required
def training_index(request):
    if request.method == "POST":
        bank = tsvc.bank_create(
            actor=request.user,
            area=_area(request, request.user),
            name=request.POST.get("name", ""),
            topic=request.POST.get("topic", "grid"),
        )
        return redirect("surveys:bank", bank.pk)
    mine = {a.paper_id: a for a in TestAttempt.objects.filter(user=request.user)}
    to_sit = list(tsel.papers_to_sit(user=request.user)[:50])
    for p in to_sit:
        p.mine = mine.get(p.pk)
    return render(
        request,
        "surveys/training_index.html",
        {
            "banks": tsel.bank_list(user=request.user)[:100],
            "papers": tsel.paper_list(user=request.user)[:100],
            "to_sit": to_sit,
            "areas": _areas(request.user),
            "topics": BankTopic.choices,
        },
    )


@login_required
def bank_detail(request, pk):
    bank = _get(QuestionBank, request.user, pk)
    outcome = None
    if request.method == "POST" and request.FILES.get("file"):
        f = request.FILES["file"]
        outcome = tsvc.bank_import(actor=request.user, bank=bank, content=f.read(), filename=f.name)
        if outcome.errors:
            messages.error(
                request,
                _("导入未完成:%(n)d 处错误,请改正后重新上传。") % {"n": len(outcome.errors)},
            )
        else:
            messages.success(request, _("已导入 %(n)d 道试题。") % {"n": outcome.created})
    elif request.method == "POST":
        kind = request.POST.get("kind", "")
        options = request.POST.get("options", "").splitlines()
        letters = (request.POST.get("answer") or "").strip().upper()
        if kind == ItemKind.TRUE_FALSE:
            answer = [0 if letters in ("对", "正确", "A", "T") else 1]
        else:
            answer = [tsvc.LETTERS.index(c) for c in letters if c in tsvc.LETTERS]
        tsvc.bank_item_add(
            actor=request.user,
            bank=bank,
            kind=kind,
            text=request.POST.get("text", ""),
            options=options,
            answer=answer,
            explanation=request.POST.get("explanation", ""),
        )
        return redirect("surveys:bank", bank.pk)
    return render(
        request,
        "surveys/bank_detail.html",
        {
            "bank": bank,
            "items": bank.items.all()[:500],
            "kinds": ItemKind.choices,
            "outcome": outcome,
            "areas": [a for a in _areas(request.user) if a.path.startswith(bank.area.path)],
        },
    )


@login_required
def bank_template(request):
    resp = HttpResponse(tsvc.bank_template(), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="question-bank-template.xlsx"'
    return resp


@login_required
@require_POST
def paper_create(request, pk):
    bank = _get(QuestionBank, request.user, pk, CHANGE)
    p = request.POST
    opens = parse_datetime(p.get("opens_at", "")) or timezone.now()
    closes = parse_datetime(p.get("closes_at", "")) or opens + dt.timedelta(days=7)
    if timezone.is_naive(opens):
        opens = timezone.make_aware(opens)
    if timezone.is_naive(closes):
        closes = timezone.make_aware(closes)
    paper = tsvc.paper_create(
        actor=request.user,
        bank=bank,
        area=_area(request, request.user),
        title=p.get("title", ""),
        question_count=_int(p.get("question_count"), _("题量")),
        time_limit_minutes=_int(p.get("time_limit_minutes"), _("限时")),
        opens_at=opens,
        closes_at=closes,
        seed=p.get("seed", ""),
        training_hours=p.get("training_hours") or 1,
        pass_percent=_int(p.get("pass_percent"), _("合格线"), default=60),
    )
    return redirect("surveys:paper", paper.pk)


@login_required
def paper_detail(request, pk):
    paper = _get(TestPaper, request.user, pk)
    ranking = tsel.ranking(user=request.user, paper=paper)
    if request.GET.get("format") == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "个人排名"
        ws.append(["名次", "姓名", "所在区划", "得分", "满分", "超时", "合格"])
        for i, a in enumerate(ranking["people"], start=1):
            ws.append(
                [
                    i,
                    a.user.display_name or a.user.username,
                    a.area.name,
                    a.score,
                    a.max_score,
                    "是" if a.late else "",
                    "是" if a.passed else "否",
                ]
            )
        ws2 = wb.create_sheet("社区排名")
        ws2.append(["区划", "人数", "平均分"])
        for row in ranking["by_area"]:
            ws2.append([row["area__name"], row["n"], round(row["avg"] or 0, 1)])
        return _xlsx(wb, f"paper-{paper.pk}-ranking.xlsx")
    return render(request, "surveys/paper_detail.html", {"paper": paper, "ranking": ranking})


@login_required
def paper_sit(request, pk):
    paper = TestPaper.objects.select_related("area").filter(pk=pk).first()
    if paper is None or not tsvc.may_sit(request.user, paper):
        raise NotFound()
    attempt = TestAttempt.objects.filter(paper=paper, user=request.user).first()
    if request.method == "POST":
        if request.POST.get("op") == "start":
            tsvc.attempt_start(actor=request.user, paper=paper)
            return redirect("surveys:paper_sit", paper.pk)
        if attempt is None:
            raise NotFound()
        answers = {
            int(k[1:]): request.POST.getlist(k)
            for k in request.POST
            if k.startswith("i") and k[1:].isdigit()
        }
        attempt = tsvc.attempt_submit(actor=request.user, attempt=attempt, answers=answers)
        if attempt.late:
            messages.warning(
                request, _("已超过答题时限:交卷时提交的答案不计分,只计限时内保存的答案。")
            )
        return redirect("surveys:attempt_review", attempt.pk)
    if attempt is not None and attempt.submitted_at:
        return redirect("surveys:attempt_review", attempt.pk)
    saved = {a.paper_item_id: a.chosen for a in attempt.answers.all()} if attempt else {}
    items = (
        [
            {
                "pi": pi,
                "item": pi.item,
                "name": f"i{pi.pk}",
                "options": [
                    (str(i), o, i in saved.get(pi.pk, [])) for i, o in enumerate(pi.item.options)
                ],
            }
            for pi in paper.paper_items.select_related("item").order_by("position")
        ]
        if attempt
        else []
    )
    return render(
        request,
        "surveys/paper_sit.html",
        {"paper": paper, "attempt": attempt, "items": items, "now": timezone.now()},
    )


@login_required
@require_POST
def paper_save(request, pk):
    attempt = TestAttempt.objects.filter(paper_id=pk, user=request.user).first()
    if attempt is None:
        raise NotFound()
    try:
        tsvc.attempt_save_answer(
            actor=request.user,
            attempt=attempt,
            paper_item_id=_int(request.POST.get("item"), "item"),
            chosen=request.POST.getlist("chosen"),
        )
    except ValidationFailed as e:
        return JsonResponse({"error": e.as_dict()}, status=400)
    except qsvc.Conflict as e:
        return JsonResponse({"error": e.as_dict()}, status=409)
    return JsonResponse({"ok": True})


@login_required
def attempt_review(request, pk):
    attempt = TestAttempt.objects.select_related("paper", "user", "area").filter(pk=pk).first()
    if attempt is None or (
        attempt.user_id != request.user.pk
        and not TestAttempt.objects.restrict(request.user).filter(pk=pk).exists()
    ):
        raise NotFound()
    if attempt.submitted_at is None:
        return redirect("surveys:paper_sit", attempt.paper_id)
    rows = tsel.review(attempt=attempt)
    only_wrong = request.GET.get("all") != "1"
    return render(
        request,
        "surveys/attempt_review.html",
        {
            "attempt": attempt,
            "rows": [r for r in rows if not (only_wrong and r["correct"])],
            "only_wrong": only_wrong,
        },
    )


@login_required
def training_records(request):
    year = _int(request.GET.get("year"), "", default=timezone.localdate().year)
    return render(
        request,
        "surveys/training_records.html",
        {
            "records": tsel.records(user=request.user)[:300],
            "hours": tsel.hours_by_person(user=request.user, year=year),
            "year": year,
        },
    )


# ================================================================ 3. secretaries


@login_required
def secretary_list(request):
    if request.method == "POST":
        org = _get(
            PartyOrganization, request.user, _int(request.POST.get("organization"), _("党组织"))
        )
        user = (
            get_user_model()
            .objects.filter(username=request.POST.get("username", "").strip())
            .first()
        )
        if user is None:
            raise ValidationFailed(_("找不到该用户名。"), details={"username": [_("无效。")]})
        ssvc.secretary_appoint(actor=request.user, user=user, organization=org)
        return redirect("surveys:secretaries")
    return render(
        request,
        "surveys/secretary_list.html",
        {
            "secretaries": ssel.secretary_list(user=request.user)[:200],
            "orgs": PartyOrganization.objects.restrict(request.user, CHANGE).order_by("path")[:300],
            "mine": SecretaryProfile.objects.filter(user=request.user).select_related(
                "organization"
            ),
            "rounds": ReviewRound.objects.restrict(request.user).select_related("area")[:20],
        },
    )


def _secretary(request, pk, action="view"):
    s = (
        SecretaryProfile.objects.select_related("user", "organization", "area")
        .filter(pk=pk)
        .first()
    )
    if s is None or not (
        s.user_id == request.user.pk
        or SecretaryProfile.objects.restrict(request.user, action).filter(pk=pk).exists()
    ):
        raise NotFound()
    return s


@login_required
def secretary_detail(request, pk):
    s = _secretary(request, pk)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "project":
            p = ssvc.project_create(
                actor=request.user,
                secretary=s,
                title=request.POST.get("title", ""),
                goal=request.POST.get("goal", ""),
                year=_int(request.POST.get("year"), _("年度")),
                public=bool(request.POST.get("public")),
            )
            return redirect("surveys:project", p.pk)
        if op == "item":
            due = parse_date(request.POST.get("due_on") or "")
            ssvc.responsibility_add(
                actor=request.user,
                secretary=s,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                due_on=due,
            )
        if op == "status":
            item = ResponsibilityItem.objects.filter(
                secretary=s, pk=_int(request.POST.get("item"), "item")
            ).first()
            if item is None:
                raise NotFound()
            ssvc.responsibility_set_status(
                actor=request.user, item=item, status=request.POST.get("status", "")
            )
        return redirect("surveys:secretary", s.pk)
    return render(
        request,
        "surveys/secretary_detail.html",
        {
            "s": s,
            "projects": s.projects.all(),
            "items": s.items.all(),
            "kinds": ListKind.choices,
            "statuses": ItemStatus.choices,
            "year": timezone.localdate().year,
            "today": timezone.localdate(),
        },
    )


@login_required
def project_detail(request, pk):
    p = (
        SecretaryProject.objects.select_related(
            "secretary__user", "secretary__organization", "area"
        )
        .filter(pk=pk)
        .first()
    )
    if p is None:
        raise NotFound()
    _secretary(request, p.secretary_id)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "milestone":
            ssvc.milestone_add(
                actor=request.user,
                project=p,
                title=request.POST.get("title", ""),
                due_on=_date(request.POST.get("due_on"), _("计划日期")),
            )
        elif op == "done":
            m = Milestone.objects.filter(
                project=p, pk=_int(request.POST.get("milestone"), "m")
            ).first()
            if m is None:
                raise NotFound()
            ssvc.milestone_set_done(
                actor=request.user, milestone=m, done=request.POST.get("done") == "1"
            )
        elif op == "report":
            month = parse_date((request.POST.get("month") or "") + "-01")
            if month is None:
                raise ValidationFailed(_("月份格式应为 YYYY-MM。"))
            ssvc.progress_report(
                actor=request.user,
                project=p,
                month=month,
                text=request.POST.get("text", ""),
                percent=request.POST.get("percent"),
            )
        return redirect("surveys:project", p.pk)
    return render(
        request,
        "surveys/project_detail.html",
        {
            "p": p,
            "milestones": p.milestones.all(),
            "reports": p.reports.all(),
            "month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def public_projects(request):
    projects = list(ssel.public_projects()[:500])
    return render(request, "surveys/public_projects.html", {"projects": projects})


@login_required
def meetings(request):
    if request.method == "POST":
        ssvc.meeting_record(
            actor=request.user,
            area=_area(request, request.user),
            held_on=_date(request.POST.get("held_on"), _("日期")),
            title=request.POST.get("title", ""),
            notes=request.POST.get("notes", ""),
        )
        return redirect("surveys:meetings")
    return render(
        request,
        "surveys/meetings.html",
        {
            "meetings": AreaMeeting.objects.restrict(request.user).select_related("area")[:200],
            "areas": _areas(request.user),
        },
    )


@login_required
def review_list(request):
    if request.method == "POST":
        criteria = []
        for line in request.POST.get("criteria", "").splitlines():
            if line.strip():
                name, _sep, mx = line.rpartition(" ")
                criteria.append((name or line, _int(mx, _("满分"), default=0)))
        qn = None
        if request.POST.get("questionnaire"):
            qn = _get(Questionnaire, request.user, _int(request.POST.get("questionnaire"), "q"))
        r = ssvc.review_round_create(
            actor=request.user,
            area=_area(request, request.user),
            year=_int(request.POST.get("year"), _("年度")),
            title=request.POST.get("title", ""),
            criteria=criteria,
            weight_reviewers=_int(request.POST.get("weight_reviewers"), _("权重"), default=70),
            weight_satisfaction=_int(
                request.POST.get("weight_satisfaction"), _("权重"), default=30
            ),
            questionnaire=qn,
        )
        return redirect("surveys:review", r.pk)
    return render(
        request,
        "surveys/review_list.html",
        {
            "rounds": ReviewRound.objects.restrict(request.user).select_related(
                "area", "questionnaire"
            )[:100],
            "areas": _areas(request.user),
            "year": timezone.localdate().year,
            "questionnaires": Questionnaire.objects.restrict(request.user).order_by("-created_at")[
                :100
            ],
        },
    )


@login_required
def review_detail(request, pk):
    rnd = ReviewRound.objects.select_related("area", "questionnaire").filter(pk=pk).first()
    mine = (
        SecretaryProfile.objects.filter(
            user=request.user, area__path__startswith=rnd.area.path
        ).first()
        if rnd
        else None
    )
    if rnd is None or not (
        mine or ReviewRound.objects.restrict(request.user).filter(pk=pk).exists()
    ):
        raise NotFound()
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "report":
            sec = _secretary(request, _int(request.POST.get("secretary"), "s"))
            qn = None
            if request.POST.get("questionnaire"):
                qn = _get(Questionnaire, request.user, _int(request.POST.get("questionnaire"), "q"))
            ssvc.review_report_submit(
                actor=request.user,
                round=rnd,
                secretary=sec,
                text=request.POST.get("text", ""),
                questionnaire=qn,
            )
        elif op == "score":
            sec = _get(SecretaryProfile, request.user, _int(request.POST.get("secretary"), "s"))
            scores = {c.pk: request.POST.get(f"c{c.pk}", "") for c in rnd.criteria.all()}
            ssvc.review_score(actor=request.user, round=rnd, secretary=sec, scores=scores)
            messages.success(request, _("评分已保存。"))
        return redirect("surveys:review", rnd.pk)
    return render(
        request,
        "surveys/review_detail.html",
        {
            "rnd": rnd,
            "results": ssel.review_results(rnd=rnd)
            if not mine or ReviewRound.objects.restrict(request.user).filter(pk=pk).exists()
            else [],
            "criteria": list(rnd.criteria.all()),
            "mine": mine,
            "questionnaires": Questionnaire.objects.restrict(request.user).order_by("-created_at")[
                :100
            ],
        },
    )


# ================================================================ 4. public welfare


@login_required
def welfare_index(request):
    if request.method == "POST":
        r = wsvc.round_create(
            actor=request.user,
            area=_area(request, request.user),
            year=_int(request.POST.get("year"), _("年度")),
            title=request.POST.get("title", ""),
        )
        return redirect("surveys:welfare_round", r.pk)
    return render(
        request,
        "surveys/welfare_index.html",
        {
            "rounds": wsel.round_list(user=request.user)[:100],
            "areas": _areas(request.user),
            "year": timezone.localdate().year,
        },
    )


@login_required
def welfare_round(request, pk):
    rnd = _get(WelfareRound, request.user, pk)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "propose":
            org = _get(Unit, request.user, _int(request.POST.get("organization"), _("社会组织")))
            p = wsvc.project_propose(
                actor=request.user,
                round=rnd,
                organization=org,
                area=_area(request, request.user),
                title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                budget=request.POST.get("budget", ""),
            )
            return redirect("surveys:welfare_project", p.pk)
        if op == "market":
            m = wsvc.market_create(
                actor=request.user,
                round=rnd,
                held_on=_date(request.POST.get("held_on"), _("日期")),
                place=request.POST.get("place", ""),
            )
            return redirect("surveys:welfare_market", m.pk)
    projects = list(wsel.project_list(user=request.user, round=rnd))
    return render(
        request,
        "surveys/welfare_round.html",
        {
            "rnd": rnd,
            "projects": projects,
            "markets": wsel.market_list(user=request.user, round=rnd),
            "orgs": Unit.objects.restrict(request.user)
            .filter(kind=UnitKind.SOCIAL_ORG)
            .order_by("name")[:300],
            "areas": [a for a in _areas(request.user) if a.path.startswith(rnd.area.path)],
            "totals": {
                "raised": sum(p.raised for p in projects),
                "beneficiaries": sum(p.beneficiaries for p in projects),
            },
        },
    )


@login_required
def welfare_project(request, pk):
    p = _get(WelfareProject, request.user, pk)
    if request.method == "POST":
        op = request.POST.get("op")
        if op in ("approve", "reject"):
            wsvc.project_review(
                actor=request.user,
                project=p,
                approve=op == "approve",
                reason=request.POST.get("reason", ""),
            )
        elif op == "donation":
            unit = None
            if request.POST.get("donor_unit"):
                unit = _get(Unit, request.user, _int(request.POST.get("donor_unit"), "unit"))
            d = wsvc.donation_record(
                actor=request.user,
                project=p,
                donor_name=request.POST.get("donor_name", ""),
                donor_unit=unit,
                amount=request.POST.get("amount", ""),
                received_on=_date(request.POST.get("received_on"), _("到账日期")),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("已登记,收据编号 %(no)s。") % {"no": d.receipt_no})
        elif op == "progress":
            wsvc.project_progress(
                actor=request.user,
                project=p,
                percent=request.POST.get("percent"),
                beneficiaries=request.POST.get("beneficiaries"),
            )
        elif op == "milestone":
            wsvc.welfare_milestone_add(
                actor=request.user,
                project=p,
                title=request.POST.get("title", ""),
                due_on=_date(request.POST.get("due_on"), _("计划日期")),
            )
        elif op == "done":
            m = WelfareMilestone.objects.filter(
                project=p, pk=_int(request.POST.get("milestone"), "m")
            ).first()
            if m is None:
                raise NotFound()
            wsvc.welfare_milestone_done(actor=request.user, milestone=m)
        return redirect("surveys:welfare_project", p.pk)
    return render(
        request,
        "surveys/welfare_project.html",
        {
            "p": p,
            "donations": p.donations.select_related("donor_unit"),
            "milestones": p.milestones.all(),
            "units": Unit.objects.restrict(request.user)
            .exclude(kind=UnitKind.DEPARTMENT)
            .order_by("name")[:300],
            "raised": sum(d.amount for d in p.donations.all()),
            "today": timezone.localdate(),
        },
    )


@login_required
def donation_receipt(request, pk):
    d = (
        Donation.objects.restrict(request.user)
        .select_related("project__organization", "project__area", "donor_unit")
        .filter(pk=pk)
        .first()
    )
    if d is None:
        raise NotFound()
    return render(request, "surveys/receipt.html", {"d": d})


@login_required
def welfare_market(request, pk):
    m = _get(WelfareMarket, request.user, pk)
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "stall":
            org = _get(Unit, request.user, _int(request.POST.get("organization"), _("组织")))
            project = None
            if request.POST.get("project"):
                project = _get(WelfareProject, request.user, _int(request.POST.get("project"), "p"))
            wsvc.stall_add(
                actor=request.user,
                market=m,
                organization=org,
                project=project,
                note=request.POST.get("note", ""),
            )
        elif op == "results":
            wsvc.market_results(
                actor=request.user,
                market=m,
                funds_raised=request.POST.get("funds_raised") or 0,
                projects_matched=request.POST.get("projects_matched") or 0,
                volunteers_recruited=request.POST.get("volunteers_recruited") or 0,
            )
        return redirect("surveys:welfare_market", m.pk)
    return render(
        request,
        "surveys/welfare_market.html",
        {
            "m": m,
            "stalls": m.stalls.select_related("organization", "project"),
            "orgs": Unit.objects.restrict(request.user)
            .exclude(kind=UnitKind.DEPARTMENT)
            .order_by("name")[:300],
            "projects": WelfareProject.objects.restrict(request.user)
            .filter(round=m.round)
            .order_by("title"),
        },
    )
