"""Admin for classifier versions (read-only; activate one, go back to the previous one or to
the keyword cold start, train a new one) and the suggestions recorded with cases."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import ApplicationError

from . import services
from .models import ClassifierVersion, Suggestion


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "kind",
        "active",
        "top1",
        "top3",
        "trained_on",
        "from_cases",
        "size_bytes",
        "train_seconds",
        "created_at",
        "activated_at",
    )
    list_filter = ("kind", "active")
    readonly_fields = [
        f.name for f in ClassifierVersion._meta.fields if f.name not in ("blob", "digest")
    ]
    exclude = ("blob", "digest")
    actions = ["activate", "revert", "cold_start", "retrain"]

    @admin.display(description=_("首选准确率"))
    def top1(self, obj):
        return obj.top1

    @admin.display(description=_("前三准确率"))
    def top3(self, obj):
        return obj.top3

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_manage_permission(self, request):
        return request.user.is_superuser or request.user.has_perm("intake.change_classifierversion")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    def _run(self, request, fn, done):
        try:
            row = fn()
        except ApplicationError as e:
            self.message_user(request, str(e.message), messages.ERROR)
            return
        self.message_user(request, done(row), messages.SUCCESS)

    @admin.action(description=_("启用所选版本"), permissions=["manage"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本。"), messages.ERROR)
            return
        version = queryset.first()
        self._run(
            request,
            lambda: services.classifier_activate(actor=request.user, version=version),
            lambda row: _("已启用 %(v)s。") % {"v": row},
        )

    @admin.action(description=_("退回上一个启用的版本"), permissions=["manage"])
    def revert(self, request, queryset):
        self._run(
            request,
            lambda: services.classifier_revert(actor=request.user),
            lambda row: _("已退回到 %(v)s。") % {"v": row} if row else _("已退回到关键词冷启动。"),
        )

    @admin.action(description=_("停用全部版本(使用关键词冷启动)"), permissions=["manage"])
    def cold_start(self, request, queryset):
        self._run(
            request,
            lambda: services.classifier_activate(actor=request.user, version=None),
            lambda row: _("已改用关键词冷启动。"),
        )

    @admin.action(description=_("重新训练并启用新版本"), permissions=["manage"])
    def retrain(self, request, queryset):
        self._run(
            request,
            lambda: services.classifier_retrain(actor=request.user, note="admin"),
            lambda row: _("已训练并启用 %(v)s(首选准确率 %(a)s)。") % {"v": row, "a": row.top1},
        )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("case", "item", "source", "accepted", "labelled", "classifier", "created_at")
    list_filter = ("source", "accepted", "labelled")
    raw_id_fields = ("case", "item", "confirmed_by", "classifier")
    readonly_fields = [f.name for f in Suggestion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)
