from django.contrib import admin

from .models import PartyOrganization, RoleAssignment, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "grid")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("area", "grid", "party_organization")


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "area", "grid", "unit")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area", "grid", "unit", "active")
    list_filter = ("role", "active")
    raw_id_fields = ("user", "area", "grid", "unit")
