from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.geo.models import Area

from . import choices as c
from .models import EvaluationForm


class RoundForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    period = forms.CharField(label=_("周期"), max_length=10, help_text=_("如 2026 或 2026-H1"))
    area = forms.ModelChoiceField(label=_("范围"), queryset=Area.objects.none())
    anonymity = forms.ChoiceField(
        label=_("匿名方式"), choices=c.Anonymity.choices, initial=c.Anonymity.HIDDEN_FROM_RATED
    )
    good_threshold = forms.DecimalField(
        label=_("优秀分数线"), initial=90, min_value=1, max_value=100
    )
    closes_on = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.restrict(user, "change")
            .filter(level__in=[Area.Level.COUNTY, Area.Level.STREET])
            .order_by("code")
        )
        for direction, label in c.Direction.choices:
            self.fields[f"form_{direction}"] = forms.ModelChoiceField(
                label=label,
                required=False,
                queryset=EvaluationForm.objects.filter(direction=direction, active=True),
                initial=EvaluationForm.objects.filter(direction=direction, active=True).first(),
            )
        if not self.is_bound:
            self.initial.setdefault("period", str(timezone.localdate().year))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=c.MeetingKind.choices)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("主题"), max_length=200)
    notes = forms.CharField(
        label=_("纪要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TrainingForm(forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int)
    taken_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("内容"), max_length=200)
    kind = forms.ChoiceField(
        label=_("方式"),
        choices=[(k.value, k.label) for k in c.MANUAL_TRAINING_KINDS],
    )
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=24, decimal_places=1)


class DuesBaseForm(forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int)
    since = forms.DateField(label=_("起始月份"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("类别"), choices=c.DuesCategory.choices)
    monthly_income = forms.DecimalField(
        label=_("月税后收入(元)"), min_value=0, required=False, decimal_places=2
    )


class DuesPayForm(forms.Form):
    member = forms.TypedChoiceField(label=_("党员"), coerce=int)
    month = forms.CharField(label=_("所属月份"), widget=forms.DateInput(attrs={"type": "month"}))


class RectificationForm(forms.Form):
    issue = forms.CharField(label=_("整改问题"), max_length=300)
    owner = forms.TypedChoiceField(label=_("责任人"), coerce=int)
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))
