"""Staff pages for system administrators: the delivery log (filters) and one delivery
(payload, last response, replays), with a replay button."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from civicgrid.web.paging import paginate

from . import selectors, services
from .choices import DeliveryStatus, EventType
from .models import WebhookDelivery, WebhookSubscription
from .signing import body_bytes


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_l("状态"), required=False, choices=[("", _l("全部"))] + DeliveryStatus.choices
    )
    event_type = forms.ChoiceField(
        label=_l("事件类型"), required=False, choices=[("", _l("全部"))] + EventType.choices
    )
    subscription = forms.ModelChoiceField(
        label=_l("订阅"),
        required=False,
        queryset=WebhookSubscription.objects.select_related("partner"),
        empty_label=_l("全部"),
    )
    case_number = forms.CharField(label=_l("事件编号"), required=False, max_length=20)
    date_from = forms.DateField(
        label=_l("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_l("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@login_required
def delivery_list(request):
    form = DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.delivery_list(
        user=request.user, **{k: v for k, v in filters.items() if v not in (None, "")}
    )
    return render(
        request,
        "webhooks/delivery_list.html",
        {
            "form": form,
            "page": paginate(request, rows, per_page=50),
            "subscriptions": selectors.subscription_list(user=request.user),
        },
    )


@login_required
def delivery_detail(request, pk: int):
    d = selectors.delivery_get(user=request.user, pk=pk)
    pretty = json.dumps(d.payload, ensure_ascii=False, indent=2, sort_keys=True)
    replays = WebhookDelivery.objects.filter(replay_of=d).order_by("id")
    return render(
        request,
        "webhooks/delivery_detail.html",
        {"d": d, "pretty": pretty, "size": len(body_bytes(d.payload)), "replays": replays},
    )


@login_required
@require_POST
def delivery_replay(request, pk: int):
    d = selectors.delivery_get(user=request.user, pk=pk)
    copies = services.deliveries_replay(
        actor=request.user, deliveries=WebhookDelivery.objects.filter(pk=d.pk), request=request
    )
    if copies:
        messages.success(request, _("已重新发送,新的推送编号为 %(id)s。") % {"id": copies[0].pk})
        return redirect("webhooks:delivery_detail", pk=copies[0].pk)
    messages.error(request, _("该推送所属事件已不在合作方的授权范围内,未重发。"))
    return redirect("webhooks:delivery_detail", pk=d.pk)
