"""Report pages: the archive in the user's scope, a form to make one now, and downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ApplicationError, NotFound

from . import periods, selectors, services
from .models import Format, Kind

CONTENT_TYPES = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.PDF: "application/pdf",
}


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_l("类型"),
        choices=Kind.choices,
        error_messages={"invalid_choice": _l("未知的报表类型。")},
    )
    area = forms.ModelChoiceField(
        label=_l("区划"),
        queryset=None,
        error_messages={"required": _l("请选择区划。"), "invalid_choice": _l("未知的区划。")},
    )
    period = forms.CharField(
        label=_l("周期"),
        max_length=10,
        help_text=_l("日报如 2026-11-30,周报如 2026-W48,月报如 2026-11"),
        error_messages={"required": _l("请填写周期。")},
    )
    fmt = forms.ChoiceField(
        label=_l("格式"),
        choices=Format.choices,
        error_messages={"invalid_choice": _l("未知的文件格式。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = selectors.report_areas(user=user)
        if not self.is_bound:
            self.initial.setdefault("period", periods.last_complete(Kind.MONTHLY).label)


@login_required
def report_list(request):
    kind = request.GET.get("kind") or None
    qs = selectors.report_list(user=request.user, kind=kind if kind in Kind.values else None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    form = GenerateForm(user=request.user)
    return render(
        request,
        "reports/list.html",
        {"page": page, "form": form, "kinds": Kind.choices, "kind": kind},
    )


@login_required
@require_POST
def report_create(request):
    form = GenerateForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("reports:list")
    d = form.cleaned_data
    try:
        report = services.report_generate(
            actor=request.user, kind=d["kind"], area=d["area"], period=d["period"], fmt=d["fmt"]
        )
    except ApplicationError as e:
        if e.status == 404:
            raise
        messages.error(request, str(e.message))
        return redirect("reports:list")
    messages.success(request, _("报表已生成:%(name)s") % {"name": report.filename})
    return redirect("reports:list")


@login_required
def report_download(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if report is None:
        raise NotFound()
    data = services.report_bytes(report)
    audit_record(
        actor=request.user,
        action="report.download",
        obj=report,
        detail={"kind": report.kind, "period": report.period, "sha256": report.sha256},
        request=request,
    )
    response = HttpResponse(data, content_type=CONTENT_TYPES[report.fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
