from django.contrib import admin

from .models import DualReport, PointsEntry, PointsRule


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    """Points and caps per event; ``updated_at`` shows when a rule last changed (each change is
    also in the admin's own history)."""

    list_display = (
        "event",
        "points",
        "daily_cap",
        "monthly_cap",
        "active",
        "description",
        "updated_at",
    )
    list_editable = ("points", "daily_cap", "monthly_cap", "active")
    readonly_fields = ("event", "updated_at")
    ordering = ("event",)

    def has_add_permission(self, request):
        return False  # one rule per event, loaded by the migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """Read only: the ledger is append-only (reverse from the ledger page)."""

    list_display = ("occurred_at", "subject_key", "event", "points", "area", "source_key", "note")
    list_filter = ("event", "subject_kind")
    search_fields = ("subject_key", "source_key")
    date_hierarchy = "occurred_at"
    list_select_related = ("area",)

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DualReport)
class DualReportAdmin(admin.ModelAdmin):
    list_display = ("submitted_at", "kind", "subject_key", "community", "status", "receipt_number")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in DualReport._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
