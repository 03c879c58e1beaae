"""Import and export pages (/io/). Thin: the work is in civicgrid.core.tabular and the
apps' excel modules."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core import tabular
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationFailed
from civicgrid.orgs.access import has_capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "io_reports"
MAX_ERRORS_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件(.xlsx 或 .csv)"))
    partial = forms.BooleanField(required=False, label=gettext_lazy("只导入无误的行"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.CIVICGRID_IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("文件过大(上限 %(mb)d MB)。") % {"mb": limit // (1024 * 1024)}
            )
        return f


def _xlsx(data, filename: str) -> FileResponse:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def index(request):
    user = request.user
    return render(
        request,
        "web/io/index.html",
        {
            "kinds": [(k, k.can_import(user)) for k in tabular.all_kinds()],
            "can_import": has_capability(user, "import"),
            "can_export": has_capability(user, "export"),
            "can_reveal": has_capability(user, "reveal_pii"),
            "max_mb": settings.CIVICGRID_IMPORT_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def template(request, kind):
    k = tabular.get_kind(kind)
    return _xlsx(tabular.template_xlsx(k.spec), f"{k.spec.title}导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, kind):
    k = tabular.get_kind(kind)
    if not k.can_import(request.user):
        raise PermissionDenied(_("您没有批量导入的权限。"))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            outcome = tabular.run_import(
                actor=request.user,
                kind=kind,
                content=f.read(),
                filename=f.name,
                partial=form.cleaned_data["partial"],
                dry_run="dry_run" in request.POST,
                request=request,
            )
        except ValidationFailed as exc:
            form.add_error("file", str(exc.message))
        else:
            token = tabular.report_store(outcome.report) if outcome.report else None
            if token:
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], token]
            return render(
                request,
                "web/io/result.html",
                {
                    "kind": k,
                    "outcome": outcome,
                    "token": token,
                    "errors": outcome.errors[:MAX_ERRORS_SHOWN],
                },
            )
    return render(request, "web/io/upload.html", {"kind": k, "form": form})


@login_required
@require_GET
def report(request, token):
    if token not in request.session.get(SESSION_KEY, []):
        raise NotFound()
    return _xlsx(tabular.report_load(token), "错误报告.xlsx")


@login_required
@require_GET
def export(request, kind):
    f = tabular.export_xlsx(
        user=request.user, kind=kind, reveal=request.GET.get("pii") == "full", request=request
    )
    return _xlsx(f.file, f.filename)
