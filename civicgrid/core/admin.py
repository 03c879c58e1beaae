from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditLog, User


@admin.register(User)
class CivicUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("CivicGrid", {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_staff", "is_active", "last_login")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "field", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor__username")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
