from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import CHANGE
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit

from . import services
from .choices import WEEKDAYS
from .models import Resource


def time_choices(step: int = 30) -> list[tuple[str, str]]:
    out = []
    for minutes in range(0, 24 * 60, step):
        t = f"{minutes // 60:02d}:{minutes % 60:02d}"
        out.append((t, t))
    return out


class BookingForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.ChoiceField(label=_("开始"))
    end = forms.ChoiceField(label=_("结束"))
    attendees = forms.IntegerField(label=_("人数"), min_value=1, initial=10)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    unit = forms.ModelChoiceField(
        label=_("以单位名义预订"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, resource: Resource, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = time_choices(resource.slot_minutes or 30)
        self.fields["start"].choices = choices
        self.fields["end"].choices = choices[1:]
        units = services.user_units(user)
        if units:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
            self.fields["unit"].empty_label = _("(个人/工作人员)")
        else:
            del self.fields["unit"]
        self.fields["attendees"].widget.attrs["max"] = resource.capacity or ""

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            s = dt.time.fromisoformat(start)
            e = dt.time.fromisoformat(end)
            data["start_at"] = timezone.make_aware(dt.datetime.combine(day, s))
            data["end_at"] = timezone.make_aware(dt.datetime.combine(day, e))
        return data


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("通过")), ("0", _("不通过"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


WEEKDAY_LABELS = WEEKDAYS
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def parse_intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    out = []
    for part in re.split(r"[,,、;;\s]+(?=\d)", (text or "").strip()):
        if not part.strip():
            continue
        m = _INTERVAL.match(part)
        if not m:
            raise forms.ValidationError(_("格式应为 08:30-12:00,多段用逗号分隔。"))
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        try:
            a, b = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError as e:
            raise forms.ValidationError(_("时间不正确。")) from e
        if b <= a:
            raise forms.ValidationError(_("关闭时间须晚于开放时间。"))
        out.append((a, b))
    return out


def format_intervals(rows) -> str:
    return ", ".join(f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in rows)


class ResourceForm(forms.ModelForm):
    closed_days = forms.CharField(
        label=_("闭馆日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个:2026-12-25 设备检修"),
    )

    class Meta:
        model = Resource
        fields = [
            "name",
            "kind",
            "area",
            "grid",
            "owner_unit",
            "address",
            "lon",
            "lat",
            "capacity",
            "description",
            "rules",
            "public",
            "open_to_units",
            "open_to_residents",
            "requires_approval",
            "horizon_days",
            "min_notice_hours",
            "max_hours",
            "cancel_hours",
            "slot_minutes",
            "closed_on_holidays",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "rules": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own_units = services.user_units(user)
        areas = Area.objects.restrict(user, CHANGE) | Area.objects.filter(
            pk__in=[u.area_id for u in own_units]
        )
        units = Unit.objects.restrict(user, CHANGE) | Unit.objects.filter(
            pk__in=[u.pk for u in own_units]
        )
        if self.instance.pk:
            areas = areas | Area.objects.filter(pk=self.instance.area_id)
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["grid"].queryset = Grid.objects.restrict(user).order_by("code")
        self.fields["owner_unit"].queryset = units.order_by("name")
        self.fields["slot_minutes"].widget = forms.Select(
            choices=[(15, "15"), (30, "30"), (60, "60")]
        )
        for i, label in enumerate(WEEKDAY_LABELS):
            initial = ""
            if self.instance.pk:
                initial = format_intervals([h for h in self.instance.hours.all() if h.weekday == i])
            elif i < 5:
                initial = "08:30-12:00, 14:00-18:00"
            self.fields[f"hours_{i}"] = forms.CharField(
                label=label,
                required=False,
                initial=initial,
                help_text=_("空 = 不开放") if i == 0 else "",
            )
        if self.instance.pk:
            self.fields["closed_days"].initial = "\n".join(
                f"{c.date.isoformat()} {c.reason}".strip() for c in self.instance.closed_days.all()
            )

    def hour_fields(self):
        return [self[f"hours_{i}"] for i in range(7)]

    def clean(self):
        data = super().clean()
        hours = {}
        for i in range(7):
            try:
                hours[i] = parse_intervals(data.get(f"hours_{i}", ""))
            except forms.ValidationError as e:
                self.add_error(f"hours_{i}", e)
        data["hours"] = hours
        closed = []
        for line in (data.get("closed_days") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            date_text, _sep, reason = line.partition(" ")
            try:
                closed.append((dt.date.fromisoformat(date_text), reason.strip()))
            except ValueError:
                self.add_error("closed_days", _("日期格式应为 2026-12-25。"))
                break
        data["closed_list"] = closed
        return data
