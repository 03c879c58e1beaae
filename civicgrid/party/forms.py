from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.geo.models import Area

from .choices import (
    Availability,
    PeriodKind,
    PointsEvent,
    ReportKind,
    ReportStatus,
    ServiceArea,
    SubjectKind,
)


def _communities():
    return Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent").order_by("path")


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class ReportForm(forms.Form):
    """A member's or unit's report: community (default: where they live / sit), skills,
    willingness and availability."""

    community = CommunityChoiceField(label=_("报到社区"), queryset=Area.objects.none())
    skills = forms.CharField(
        label=_("特长技能"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如:水电维修、法律、医护")}),
    )
    services = forms.MultipleChoiceField(
        label=_("服务意愿"),
        required=False,
        choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.ChoiceField(
        label=_("可服务时间"), required=False, choices=[("", "—")] + list(Availability.choices)
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities()


class MoveForm(forms.Form):
    community = CommunityChoiceField(label=_("转至社区"), queryset=Area.objects.none())
    reason = forms.CharField(label=_("原因"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class RosterFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部"))] + list(ReportKind.choices)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("open", _("待确认和已确认"))] + list(ReportStatus.choices),
    )
    area = forms.TypedChoiceField(label=_("社区"), required=False, coerce=int, empty_value=None)
    service = forms.ChoiceField(
        label=_("服务意愿"), required=False, choices=[("", _("全部"))] + list(ServiceArea.choices)
    )
    q = forms.CharField(label=_("姓名/单位"), required=False, max_length=50)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部"))] + [
            (a.pk, a.name) for a in places if a.level >= Area.Level.STREET
        ]


class PointsFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("对象"), required=False, choices=SubjectKind.choices)
    period = forms.ChoiceField(label=_("周期"), required=False, choices=PeriodKind.choices)
    value = forms.CharField(
        label=_("期间"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "2026-11 / 2026-Q4 / 2026"}),
    )
    date_from = forms.DateField(
        label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.TypedChoiceField(label=_("范围"), required=False, coerce=int, empty_value=None)
    grid = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部范围"))] + [
            (a.pk, ("· " * (a.level - 1)) + a.name) for a in places
        ]


class LedgerFilterForm(PointsFilterForm):
    event = forms.ChoiceField(
        label=_("事件"), required=False, choices=[("", _("全部"))] + list(PointsEvent.choices)
    )
    q = forms.CharField(label=_("姓名/单位"), required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部"))] + list(SubjectKind.choices)
        self.fields["period"].choices = [("", _("不限"))] + list(PeriodKind.choices)


class AdjustForm(forms.Form):
    kind = forms.ChoiceField(label=_("对象"), choices=SubjectKind.choices)
    subject_id = forms.IntegerField(label=_("对象编号"), min_value=1)
    points = forms.IntegerField(label=_("加减分"), min_value=-1000, max_value=1000)
    reason = forms.CharField(label=_("原因"), max_length=200)
