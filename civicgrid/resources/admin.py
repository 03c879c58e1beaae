from django.contrib import admin

from .models import (
    Booking,
    BookingEvent,
    CentreActivity,
    ClosedDay,
    OpeningHours,
    Resource,
    ServiceCentre,
    ServiceItem,
    Skill,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "owner_unit", "capacity", "public", "requires_approval")
    list_filter = ("kind", "public", "requires_approval", "active")
    search_fields = ("name", "address")
    raw_id_fields = ("area", "grid", "owner_unit")
    inlines = [OpeningHoursInline, ClosedDayInline]


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "at", "note", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the services (their ledger is written there)."""

    list_display = ("resource", "start", "end", "status", "booker_name", "late_cancellation")
    list_filter = ("status", "booker_kind")
    inlines = [BookingEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class ServiceItemInline(admin.TabularInline):
    model = ServiceItem
    extra = 0
    raw_id_fields = ("provider_unit",)


class CentreActivityInline(admin.TabularInline):
    model = CentreActivity
    extra = 0


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "area", "public")
    list_filter = ("level", "public")
    search_fields = ("name",)
    raw_id_fields = ("area", "grid")
    inlines = [ServiceItemInline, CentreActivityInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("tag", "party_member", "resident", "area", "willing")
    list_filter = ("tag", "willing")
    raw_id_fields = ("party_member", "resident", "area", "grid")
