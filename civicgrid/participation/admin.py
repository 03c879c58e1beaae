from django.contrib import admin

from .models import Compound, Criterion, PropertyCompanyProfile


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "max_score", "weight", "position", "active")
    list_editable = ("max_score", "weight", "position", "active")
    ordering = ("position", "id")


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "company", "households")
    list_select_related = ("community", "company")
    search_fields = ("name",)


@admin.register(PropertyCompanyProfile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("unit", "licence_no", "licence_expires", "hotline")
    list_select_related = ("unit",)
