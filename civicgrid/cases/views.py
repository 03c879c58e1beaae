"""Thin views for the case loop: queues, intake, the case page and its actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from civicgrid.core.errors import ApplicationError, NotFound, PermissionDenied
from civicgrid.core.scoping import get_scope
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.models import Unit

from . import assessment, exports, hooks, selectors, services, workflow
from .choices import FINAL_STATUSES, Domain, SlaState, Source, Status
from .forms import CaseCreateForm, TransitionForm
from .models import Case, Department, MatterGroup
from .oversight import is_tier_above, street_staff_over
from .permissions import is_handler, may


@login_required
def queue(request, name: str = ""):
    counts = selectors.queue_counts(user=request.user)
    if not name:
        name = next(
            (n for n in ("accept", "dispatch", "in_progress", "mine") if counts.get(n)), "all"
        )
    if name not in selectors.QUEUES:
        raise Http404
    qs = selectors.apply_filters(selectors.queue(user=request.user, name=name), request.GET)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/queue.html",
        {
            "queues": selectors.QUEUES,
            "current": name,
            "counts": counts,
            "page": page,
            "statuses": Status.choices,
            "domains": Domain.choices,
            "sla_states": SlaState.choices,
            "sources": Source.choices,
            "final_statuses": [Status.CLOSED, Status.MERGED, Status.INVALID, Status.RATED],
            "params": request.GET,
        },
    )


@login_required
def case_new(request):
    initial = {"grid": request.GET["grid"]} if request.GET.get("grid", "").isdigit() else None
    form = CaseCreateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = None
        if d.get("grid"):
            grid = Grid.objects.restrict(request.user).filter(pk=d["grid"]).first()
            if grid is None:
                form.add_error(None, _("找不到该网格,或您无权在该网格上报。"))
        if not form.errors:
            kwargs = {
                "actor": request.user,
                "item": d["item"],
                "text": d["text"],
                "lon": d.get("lon"),
                "lat": d.get("lat"),
                "grid": grid,
                "address": d.get("address", ""),
                "idempotency_key": f"web:{request.user.pk}:{d['idempotency_key']}",
                "source": d.get("source") or Source.PATROL,
                "reporter_name": d.get("reporter_name", ""),
                "reporter_phone": d.get("reporter_phone", ""),
            }
            try:
                if d.get("quick"):
                    case = services.case_quick_handle(note=d["quick_note"], **kwargs)
                else:
                    case = services.case_create(**kwargs)
                if d.get("photos") and not case.attachments.exists():
                    services.attachments_add(
                        actor=request.user, case=case, files=d["photos"], event=case.events.first()
                    )
            except ApplicationError as e:
                form.add_error(None, str(e.message))
                for field, errs in (e.details or {}).items():
                    if field in form.fields:
                        for err in errs:
                            form.add_error(field, err)
            else:
                messages.success(request, _("已上报,编号 %(no)s。") % {"no": case.number})
                return redirect("cases:detail", pk=case.pk)
    groups = (
        MatterGroup.objects.filter(items__active=True)
        .distinct()
        .prefetch_related("items")
        .order_by("code")
    )
    grids = Grid.objects.restrict(request.user).order_by("code")[:200]
    return render(request, "cases/new.html", {"form": form, "groups": groups, "grids": grids})


def _actions_for(user, case: Case) -> list[workflow.Action]:
    return [a for a in workflow.available(case.status) if may(user, case, a.actor)]


@login_required
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise NotFound()
    actions = _actions_for(request.user, case)
    departments = (
        Department.objects.select_related("unit").order_by("unit__name")
        if any(a.name == "dispatch" for a in actions)
        else []
    )
    tiers = Area.objects.restrict(request.user).filter(pk__in=[case.area_id, case.area.parent_id])
    open_case = case.status not in FINAL_STATUSES
    unlocated_grids = []
    if not case.located:
        unlocated_grids = Grid.objects.restrict(request.user).filter(
            community__parent=case.area.parent_id
        )
    return render(
        request,
        "cases/detail.html",
        {
            "can_whistle": open_case and street_staff_over(request.user, case),
            "can_supervise": open_case and is_tier_above(request.user, case),
            "is_handler": is_handler(request.user, case),
            "my_units": get_scope(request.user).unit_ids,
            "all_departments": Department.objects.select_related("unit").order_by("unit__name"),
            "unlocated_grids": unlocated_grids,
            "case": case,
            "events": selectors.case_ledger(case=case),
            "actions": actions,
            "panels": hooks.case_panels(request, case),
            "departments": departments,
            "tiers": tiers,
            "attachments": case.attachments.all(),
            "tasks": case.tasks.select_related("unit"),
            "whistles": case.whistle_calls.prefetch_related("responses__unit"),
            "supervisions": case.supervisions.select_related("by", "answered_by"),
            "form": TransitionForm(initial={"version": case.version}),
        },
    )


@login_required
@require_POST
def case_act(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise NotFound()
    form = TransitionForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for err in errs:
                messages.error(request, err)
        return redirect("cases:detail", pk=pk)
    d = form.cleaned_data
    to_unit = (
        Unit.objects.filter(pk=d["to_unit"], department__isnull=False).first()
        if d.get("to_unit")
        else None
    )
    to_area = (
        Area.objects.restrict(request.user).filter(pk=d["to_area"]).first()
        if d.get("to_area")
        else None
    )
    merged_into = None
    if d.get("merged_into"):
        merged_into = (
            selectors.case_base(user=request.user).filter(number=d["merged_into"].strip()).first()
        )
        if merged_into is None:
            messages.error(request, _("找不到编号为 %(n)s 的事件。") % {"n": d["merged_into"]})
            return redirect("cases:detail", pk=pk)
    try:
        case = services.case_transition(
            actor=request.user,
            case=case,
            action=d["action"],
            note=d.get("note", ""),
            expected_version=d["version"],
            to_unit=to_unit,
            to_area=to_area,
            mode=d.get("mode") or None,
            rating=d.get("rating") or None,
            merged_into=merged_into,
        )
        if d.get("photos"):
            services.attachments_add(
                actor=request.user, case=case, files=d["photos"], event=case.events.last()
            )
    except ApplicationError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已%(a)s。") % {"a": workflow.ACTIONS[d["action"]].label})
    return redirect("cases:detail", pk=pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return resp


@login_required
def queue_export(request, name: str):
    if name not in selectors.QUEUES:
        raise Http404
    content = exports.queue_xlsx(user=request.user, name=name, params=request.GET, request=request)
    return _xlsx_response(content, f"cases-{name}-{timezone.localdate():%Y%m%d}.xlsx")


def _period(request) -> tuple[dt.datetime, dt.datetime, str]:
    """?month=2026-11 (default: this month)."""
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (request.GET.get("month") or f"{today:%Y-%m}").split("-"))
        start_day = dt.date(year, month, 1)
    except ValueError:
        start_day = today.replace(day=1)
    start, end = assessment.month_bounds(start_day)
    return start, end, f"{start_day:%Y-%m}"


@login_required
def assessment_page(request):
    start, end, month = _period(request)
    by = request.GET.get("by", "resolution_rate")
    if by not in assessment.MEASURES:
        by = "resolution_rate"
    sheets, tables = {}, []
    for title, sheet, rows in (
        (
            _("社区"),
            "community",
            assessment.for_areas(
                user=request.user, level=Area.Level.COMMUNITY, start=start, end=end
            ),
        ),
        (
            _("街道"),
            "street",
            assessment.for_areas(user=request.user, level=Area.Level.STREET, start=start, end=end),
        ),
        (
            _("部门"),
            "department",
            assessment.for_departments(user=request.user, start=start, end=end),
        ),
    ):
        columns = assessment.with_extras(rows, user=request.user, sheet=sheet, start=start, end=end)
        sheets[title] = assessment.ranked(rows, by)
        tables.append(
            {
                "title": title,
                "rows": sheets[title],
                "columns": columns,
                "whistle": sheet == "department",
            }
        )
    if request.GET.get("format") == "xlsx":
        if not has_capability(request.user, "export"):
            raise PermissionDenied(_("您没有导出权限。"))
        return _xlsx_response(exports.assessment_xlsx(tables), f"assessment-{month}.xlsx")
    trends = [
        (area, assessment.monthly(user=request.user, area=area, last=start.date()))
        for area in assessment.areas_in_view(user=request.user)
    ]
    return render(
        request,
        "cases/assessment.html",
        {
            "tables": tables,
            "month": month,
            "by": by,
            "measure": assessment.MEASURES[by],
            "chart": assessment.chart_data(sheets=sheets, by=by, trends=trends),
        },
    )


@login_required
@require_POST
def case_oversight(request, pk: int, what: str):
    """Whistle, report, rate a report, supervise, answer supervision, reply on a joint task."""
    from . import oversight
    from .models import CaseTask, Supervision, WhistleResponse

    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise NotFound()
    p = request.POST
    try:
        if what == "whistle":
            units = list(Unit.objects.filter(pk__in=p.getlist("units"), department__isnull=False))
            hours = int(p.get("hours") or 0)
            oversight.whistle_blow(
                actor=request.user,
                case=case,
                units=units,
                report_hours=hours,
                note=p.get("note", ""),
            )
        elif what == "report":
            resp = WhistleResponse.objects.filter(pk=p.get("response"), call__case=case).first()
            if resp is None:
                raise NotFound()
            oversight.whistle_report(actor=request.user, response=resp, text=p.get("text", ""))
        elif what == "rate_report":
            resp = WhistleResponse.objects.filter(pk=p.get("response"), call__case=case).first()
            if resp is None:
                raise NotFound()
            oversight.whistle_rate(
                actor=request.user,
                response=resp,
                score=int(p.get("score") or 0),
                comment=p.get("comment", ""),
            )
        elif what == "supervise":
            oversight.supervise(actor=request.user, case=case, note=p.get("note", ""))
        elif what == "answer":
            sup = Supervision.objects.filter(pk=p.get("supervision"), case=case).first()
            if sup is None:
                raise NotFound()
            oversight.supervision_answer(
                actor=request.user, supervision=sup, answer=p.get("answer", "")
            )
        elif what == "task_reply":
            task = CaseTask.objects.filter(pk=p.get("task"), case=case).first()
            if task is None:
                raise NotFound()
            services.task_reply(actor=request.user, task=task, reply=p.get("reply", ""))
        elif what == "locate":
            grid = Grid.objects.restrict(request.user).filter(pk=p.get("grid")).first()
            if grid is None:
                raise NotFound()
            services.case_locate(actor=request.user, case=case, grid=grid, note=p.get("note", ""))
        else:
            raise Http404
    except ValueError:
        messages.error(request, _("请填写有效的数字。"))
    except ApplicationError as e:
        if e.status == 404:
            raise
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已提交。"))
    return redirect("cases:detail", pk=pk)


BULK_ACTIONS = ("accept", "dispatch", "start", "close")


@login_required
@require_POST
def queue_bulk(request):
    """Apply one action to many cases, each through case_transition; report each refusal."""
    action = request.POST.get("action")
    if action not in BULK_ACTIONS:
        messages.error(request, _("不支持的批量操作。"))
        return redirect(request.POST.get("next") or "cases:queue")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    done, failed = 0, []
    for case in selectors.case_base(user=request.user).filter(pk__in=ids):
        try:
            services.case_transition(actor=request.user, case=case, action=action)
            done += 1
        except ApplicationError as e:
            failed.append(f"{case.number}:{e.message}")
    missing = len(ids) - done - len(failed)
    if done:
        messages.success(
            request, _("已批量%(a)s %(n)d 件。") % {"a": workflow.ACTIONS[action].label, "n": done}
        )
    for f in failed[:10]:
        messages.error(request, f)
    if missing:
        messages.error(request, _("%(n)d 件找不到或无权查看。") % {"n": missing})
    nxt = request.POST.get("next") or ""
    return redirect(nxt if nxt.startswith("/cases/") else "cases:queue")


@login_required
def hotline_import(request):
    """Upload 12345 work orders (.xlsx or .csv); errors by row and column; nothing written on error.
    The same page offers the exchange back (results export) to those who may export."""
    from .hotline import COLUMNS, import_orders

    can_import = has_capability(request.user, "import")
    if not can_import and not has_capability(request.user, "export"):
        raise PermissionDenied(_("您没有导入权限。"))
    result = None
    if request.method == "POST" and not can_import:
        raise PermissionDenied(_("您没有导入权限。"))
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的文件。"))
        elif upload.size > 20 * 1024 * 1024:
            messages.error(request, _("文件超过 20 MB。"))
        else:
            try:
                result = import_orders(
                    actor=request.user,
                    content=upload.read(),
                    filename=upload.name,
                    partial=bool(request.POST.get("partial")),
                    dry_run=bool(request.POST.get("dry_run")),
                    request=request,
                )
            except ApplicationError as e:
                messages.error(request, str(e.message))
    return render(
        request,
        "cases/hotline_import.html",
        {
            "result": result,
            "columns": list(COLUMNS),
            "can_import": can_import,
            "export_form": HotlineExportForm(),
            "can_export": has_capability(request.user, "export"),
            "can_reveal": has_capability(request.user, "reveal_pii"),
        },
    )


class HotlineExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_l("格式"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)"), ("csv-gbk", "CSV (GBK)")],
        initial="xlsx",
    )
    date_from = forms.DateField(
        label=_l("上报日期起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_l("上报日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    since = forms.DateTimeField(
        label=_l("此后有变化"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    full = forms.BooleanField(label=_l("导出完整信息"), required=False)


@login_required
def hotline_export(request):
    """The exchange back: status and results of hotline cases (scoped, masked, audited)."""
    from .hotline_export import HotlineFilter, export_hotline

    form = HotlineExportForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label}:{' '.join(v)}" for k, v in form.errors.items())
        messages.error(request, _("导出条件有误:%(e)s") % {"e": errors})
        return redirect("cases:hotline_import")
    data = form.cleaned_data
    f = export_hotline(
        user=request.user,
        flt=HotlineFilter(
            date_from=data["date_from"], date_to=data["date_to"], changed_since=data["since"]
        ),
        fmt=data["format"],
        reveal=data["full"],
        request=request,
    )
    content_type = XLSX if data["format"] == "xlsx" else "text/csv"
    return FileResponse(f.file, as_attachment=True, filename=f.filename, content_type=content_type)


@login_required
def attachment(request, pk: int):
    """Serve a case photo to users who can see the case (photos are personal data)."""
    from django.http import FileResponse

    from .models import CaseAttachment

    att = CaseAttachment.objects.restrict(request.user).filter(pk=pk).first()
    if att is None:
        raise NotFound()
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound(_("照片文件已不存在。")) from None
    resp = FileResponse(handle, content_type=att.content_type)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def pick_map_data(request):
    """The user's comprehensive grids as GeoJSON, for picking a location on the intake form."""
    from django.http import JsonResponse

    from civicgrid.geo.exporters import grids_geojson

    data = grids_geojson(user=request.user)
    data["features"] = [f for f in data["features"] if f["properties"].get("kind") != "micro"][:600]
    return JsonResponse(data)
