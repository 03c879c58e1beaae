"""Admin: the organisation department edits the evaluation forms and their criteria here.
A form used by a round that has opened is read-only (its results must stay comparable)."""

from django.contrib import admin
from django.db.models import Q

from .models import EvaluationCriterion, EvaluationForm, EvaluationRound


def _in_use(form: EvaluationForm | None) -> bool:
    if form is None or form.pk is None:
        return False
    return (
        EvaluationRound.objects.exclude(status="draft")
        .filter(
            Q(form_unit_to_community=form)
            | Q(form_community_to_unit=form)
            | Q(form_community_to_member=form)
        )
        .exists()
    )


class CriterionInline(admin.TabularInline):
    model = EvaluationCriterion
    extra = 1
    fields = ("order", "name", "help_text", "max_score", "weight", "allow_comment")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _in_use(obj)


@admin.register(EvaluationForm)
class EvaluationFormAdmin(admin.ModelAdmin):
    list_display = ("name", "direction", "active")
    list_filter = ("direction", "active")
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):
        return ("direction",) if _in_use(obj) else ()
