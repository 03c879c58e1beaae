"""Admin for subscriptions (writes through the services; the secret is shown once, when the
subscription is added or its secret rotated) and the delivery log (read-only, with replay)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import ApplicationError

from . import services
from .choices import EventType
from .models import WebhookDelivery, WebhookSubscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("事件类型"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ("partner", "url", "events", "description", "active")

    def _checked(self, check, value):
        try:
            return check(value)
        except ApplicationError as e:
            raise forms.ValidationError(str(e.message))

    def clean_url(self):
        return self._checked(services.clean_url, self.cleaned_data.get("url"))

    def clean_events(self):
        return self._checked(services.clean_events, self.cleaned_data.get("events"))


def _copy_into(obj, saved) -> None:
    for f in type(saved)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("partner", "url", "event_labels", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("partner__name", "url")
    actions = ["rotate_secret", "deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return ("partner", "created_at", "created_by") if obj else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("partner", "url", "events", "description")
        return ("partner", "url", "events", "description", "active", "created_at", "created_by")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: the delivery log stays

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.subscription_update(
                actor=request.user,
                subscription=obj,
                url=data["url"],
                events=data["events"],
                active=data["active"],
                description=data.get("description", ""),
                request=request,
            )
        else:
            saved, secret = services.subscription_create(
                actor=request.user,
                partner=data["partner"],
                url=data["url"],
                events=data["events"],
                description=data.get("description", ""),
                request=request,
            )
            self._show_secret(request, secret)
        _copy_into(obj, saved)

    def _show_secret(self, request, secret: str) -> None:
        self.message_user(
            request,
            _("签名密钥(只显示这一次,请立即交给合作方):%(s)s") % {"s": secret},
            messages.WARNING,
        )

    @admin.action(description=_("更换签名密钥"))
    def rotate_secret(self, request, queryset):
        for sub in queryset:
            _sub, secret = services.subscription_rotate_secret(
                actor=request.user, subscription=sub, request=request
            )
            self.message_user(
                request,
                _("%(sub)s 的新签名密钥(只显示这一次):%(s)s") % {"sub": sub, "s": secret},
                messages.WARNING,
            )

    @admin.action(description=_("停用所选订阅"))
    def deactivate(self, request, queryset):
        for sub in queryset:
            services.subscription_update(
                actor=request.user, subscription=sub, active=False, request=request
            )
        self.message_user(request, _("已停用 %(n)d 个订阅。") % {"n": len(queryset)})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "subscription",
        "event_type",
        "case",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "subscription__partner")
    search_fields = ("case__number", "event_key")
    list_select_related = ("subscription__partner", "case")
    date_hierarchy = "created_at"
    actions = ["replay"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    raw_id_fields = ("case", "case_event", "replay_of")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("重新发送所选推送"))
    def replay(self, request, queryset):
        try:
            copies = services.deliveries_replay(
                actor=request.user, deliveries=queryset, request=request
            )
        except ApplicationError as e:
            self.message_user(request, str(e.message), messages.ERROR)
            return
        self.message_user(
            request,
            _("已重新发送 %(n)d 条(共选 %(m)d 条)。") % {"n": len(copies), "m": queryset.count()},
        )
