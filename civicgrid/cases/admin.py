from django.contrib import admin, messages

from civicgrid.core.errors import ApplicationError

from .catalogue import EDITABLE, matter_item_update
from .models import (
    Case,
    CaseEvent,
    Department,
    MatterGroup,
    MatterItem,
    MatterItemRevision,
    WorkCalendarDay,
)


@admin.register(MatterGroup)
class MatterGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "domain", "parent")
    list_filter = ("domain",)


class RevisionInline(admin.TabularInline):
    model = MatterItemRevision
    extra = 0
    can_delete = False
    readonly_fields = ("revision", "changed_by", "changed_at", "note", "snapshot")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MatterItem)
class MatterItemAdmin(admin.ModelAdmin):
    """Edits go through matter_item_update: a new revision, existing cases' deadlines untouched."""

    list_display = (
        "code",
        "name",
        "domain",
        "level",
        "mode",
        "lead_department",
        "resolve_kind",
        "resolve_days",
        "active",
        "revision",
    )
    list_filter = ("domain", "level", "mode", "active")
    search_fields = ("code", "name")
    readonly_fields = ("revision",)
    inlines = [RevisionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in EDITABLE}
        if not changes:
            return
        original = MatterItem.objects.get(pk=obj.pk)
        try:
            matter_item_update(actor=request.user, item=original, note="管理后台修改", **changes)
        except ApplicationError as e:
            messages.error(request, f"{e.message} {e.details or ''}")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "department_type", "county")
    list_filter = ("department_type",)
    raw_id_fields = ("unit", "county")


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")

    def save_model(self, request, obj, form, change):
        from .calendar import overrides_changed

        super().save_model(request, obj, form, change)
        overrides_changed()


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "note", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: the loop is changed only through the case pages (one service)."""

    list_display = ("number", "item", "status", "area", "grid", "sla_state", "created_at")
    list_filter = ("status", "sla_state", "source")
    search_fields = ("number", "external_id")
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
