"""Admin for partners and keys. Writes go through the services: adding a partner creates its
service account and role; adding a key issues it and shows the raw key exactly once."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import ApplicationError

from . import services
from .choices import KeyScope
from .models import ApiKey, Partner


def _copy_into(obj, saved) -> None:
    """Make the admin's unsaved instance the row the service saved (for the log and redirect)."""
    for f in type(saved)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "active", "created_at", "created_by")
    list_filter = ("active",)
    search_fields = ("name",)
    raw_id_fields = ("area",)
    actions = ["suspend", "restore"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "area", "note")
        return ("name", "area", "user", "note", "active", "created_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "area", "user", "active", "created_at", "created_by")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
            return
        partner = services.partner_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            area=form.cleaned_data["area"],
            note=form.cleaned_data.get("note", ""),
            request=request,
        )
        _copy_into(obj, partner)

    def _set_active(self, request, queryset, active: bool) -> None:
        for partner in queryset:
            try:
                services.partner_set_active(
                    actor=request.user, partner=partner, active=active, request=request
                )
            except ApplicationError as e:
                self.message_user(request, str(e.message), messages.ERROR)
                return
        self.message_user(request, _("已更新 %(n)d 个合作方。") % {"n": len(queryset)})

    @admin.action(description=_("停用所选合作方"))
    def suspend(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("恢复所选合作方"))
    def restore(self, request, queryset):
        self._set_active(request, queryset, True)


class ApiKeyIssueForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=KeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[KeyScope.OPEN311],
    )

    class Meta:
        model = ApiKey
        fields = ("partner", "scopes", "expires_at")

    def clean_partner(self):
        partner = self.cleaned_data["partner"]
        if not partner.active:
            raise forms.ValidationError(_("该合作方已停用,不能签发密钥。"))
        return partner

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("到期时间须晚于当前时间。"))
        return value


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "partner",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("partner",)
    search_fields = ("prefix", "partner__name")
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("partner", "scopes", "expires_at")
        return (
            "partner",
            "prefix",
            "scopes",
            "created_at",
            "created_by",
            "expires_at",
            "revoked_at",
            "last_used_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # keys are immutable; revoke and issue a new one instead
        key, raw = services.key_issue(
            actor=request.user,
            partner=form.cleaned_data["partner"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data.get("expires_at"),
            request=request,
        )
        _copy_into(obj, key)
        messages.warning(
            request,
            _("新密钥(只显示这一次,请立即复制并妥善保存):%(key)s") % {"key": raw},
        )

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        done = 0
        for key in queryset.filter(revoked_at__isnull=True):
            try:
                services.key_revoke(actor=request.user, key=key, request=request)
            except ApplicationError as e:
                self.message_user(request, str(e.message), messages.ERROR)
                return
            done += 1
        self.message_user(request, _("已吊销 %(n)d 个密钥。") % {"n": done})
