from django.contrib import admin

from .models import Area, Grid


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "community")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("community", "parent")
