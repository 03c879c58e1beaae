"""The audit-log page (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import AuditLog
from .selectors import audit_log_list


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("动作"), required=False, choices=[("", _("全部"))] + list(AuditLog.Action.choices)
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = audit_log_list(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
