from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ActivityKind, Audience, PostKind

DT = {"type": "datetime-local"}


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _dt(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocal(),
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("请填写时间。"), "invalid": _("时间格式不正确。")},
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    area = forms.ModelChoiceField(
        label=_("发布区划"), queryset=None, error_messages={"invalid_choice": _("未知的区划。")}
    )
    team = forms.ModelChoiceField(label=_("组织服务队"), queryset=None, required=False)
    description = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )
    place = forms.CharField(label=_("地点"), max_length=200)
    lon = forms.FloatField(label=_("经度"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    starts_at = _dt(_("开始时间"))
    ends_at = _dt(_("结束时间"))
    signup_opens_at = _dt(_("报名开始"), required=False, help_text=_("空为立即开始"))
    signup_closes_at = _dt(_("报名截止"), required=False, help_text=_("空为活动开始时"))
    cancel_until = _dt(_("取消报名截止"), required=False, help_text=_("空为开始前 2 小时"))
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    waitlist = forms.BooleanField(label=_("满员后可候补"), required=False)
    audience = forms.ChoiceField(
        label=_("报名对象"), choices=Audience.choices, initial=Audience.VOLUNTEERS
    )
    hours = forms.DecimalField(
        label=_("计入时长(小时)"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        help_text=_("主题党日不计志愿时长时填 0"),
    )
    checkin_lead_minutes = forms.IntegerField(
        label=_("提前签到(分钟)"), min_value=0, max_value=240, initial=30
    )

    def __init__(self, *args, areas, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["team"].queryset = teams


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    area = forms.ModelChoiceField(label=_("所在社区"), queryset=None)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    skills = forms.CharField(label=_("特长"), max_length=200, required=False)
    username = forms.CharField(
        label=_("登录账号(可选)"),
        max_length=150,
        required=False,
        help_text=_("已有的登录用户名,志愿者用它在手机上报名和签到"),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队名"), max_length=100)
    area = forms.ModelChoiceField(label=_("社区"), queryset=None)
    description = forms.CharField(
        label=_("简介"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("岗位类型"), choices=PostKind.choices)
    title = forms.CharField(label=_("岗位名称"), max_length=100)
    requirements = forms.CharField(label=_("岗位要求"), max_length=500, required=False)
    slots = forms.IntegerField(label=_("名额"), min_value=1, max_value=1000, initial=1)


class RecruitmentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    post = forms.ModelChoiceField(label=_("岗位"), queryset=None, required=False)
    slots = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=1000)
    closes_at = _dt(_("截止时间"))
    description = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("培训主题"), max_length=100)
    held_on = forms.DateField(label=_("培训日期"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("培训学时"), min_value=0.1, max_value=24, decimal_places=1)
    volunteers = forms.ModelMultipleChoiceField(
        label=_("参训志愿者"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers


class MemberAddForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("志愿者"), queryset=None)
    post = forms.ModelChoiceField(label=_("岗位"), queryset=None, required=False)
    leader = forms.BooleanField(label=_("设为队长"), required=False)

    def __init__(self, *args, volunteers, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["post"].queryset = posts


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
