"""Forms parse the input; the services decide (and refuse with a translated message)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import InviteeKind, ItemOrigin, MeetingKind, ProjectOrigin


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    area = forms.IntegerField(label=_("区划"))
    compound = forms.IntegerField(label=_("小区"), required=False)
    scheduled_at = forms.DateTimeField(label=_("召开时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("地点"), max_length=120, required=False)


class InviteForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=InviteeKind.choices)
    user = forms.IntegerField(required=False)
    unit = forms.IntegerField(required=False)
    party_member = forms.IntegerField(required=False)
    name = forms.CharField(label=_("居民姓名"), max_length=50, required=False)


class ItemForm(forms.Form):
    origin = forms.ChoiceField(label=_("来源"), choices=ItemOrigin.choices)
    title = forms.CharField(label=_("议题"), max_length=120, required=False)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)
    proposal = forms.IntegerField(required=False)
    source_case = forms.CharField(label=_("事件编号"), max_length=20, required=False)


class SolveForm(forms.Form):
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea, required=False)


class CommitForm(forms.Form):
    owner = forms.CharField(label=_("责任方"), required=False)  # "unit:<id>" or "area:<id>"
    deadline = forms.DateField(label=_("承诺时限"), required=False, widget=DateInput())
    matter = forms.IntegerField(label=_("事项类别"), required=False)
    grid = forms.IntegerField(label=_("事发网格"), required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


class ProposalForm(forms.Form):
    area = forms.IntegerField(label=_("社区"))
    compound = forms.IntegerField(label=_("小区"), required=False)
    proposer_name = forms.CharField(label=_("提议人"), max_length=50, required=False)
    title = forms.CharField(label=_("议题"), max_length=120)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea)


class CompoundForm(forms.Form):
    name = forms.CharField(label=_("小区名称"), max_length=100)
    community = forms.IntegerField(label=_("社区"))
    company = forms.IntegerField(label=_("物业公司"), required=False)
    households = forms.IntegerField(label=_("户数"), min_value=0)
    grids = forms.MultipleChoiceField(label=_("网格"), required=False, choices=())

    def __init__(self, *args, grid_choices=(), **kw):
        super().__init__(*args, **kw)
        self.fields["grids"].choices = grid_choices


class ProfileForm(forms.Form):
    licence_no = forms.CharField(label=_("资质/营业执照编号"), max_length=40, required=False)
    licence_expires = forms.DateField(label=_("资质有效期至"), required=False, widget=DateInput())
    hotline = forms.CharField(label=_("服务电话"), max_length=20, required=False)
    manager_name = forms.CharField(label=_("项目负责人"), max_length=50, required=False)
    party_organization = forms.IntegerField(label=_("党组织"), required=False)


class VoteForm(forms.Form):
    title = forms.CharField(label=_("票决名称"), max_length=120)
    area = forms.IntegerField(label=_("区划"))
    opens_at = forms.DateTimeField(label=_("投票开始"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("投票截止"), widget=DateTimeInput())
    seats = forms.IntegerField(label=_("入选项目数"), min_value=1, max_value=50, initial=10)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=120)
    description = forms.CharField(label=_("项目内容"), widget=forms.Textarea)
    cost = forms.DecimalField(label=_("估算投资(万元)"), max_digits=10, decimal_places=2)
    area = forms.IntegerField(label=_("实施区域"))
    origin = forms.ChoiceField(label=_("来源"), choices=ProjectOrigin.choices)
    proposer = forms.CharField(label=_("提出单位/群众"), max_length=100, required=False)


class DeputiesForm(forms.Form):
    names = forms.CharField(label=_("代表姓名(每行一位)"), widget=forms.Textarea)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=120)
    progress = forms.IntegerField(label=_("完成后进度%"), min_value=0, max_value=100)
    reached_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=400, required=False)


class BallotForm(forms.Form):
    code = forms.CharField(label=_("投票码"), max_length=20)
    projects = forms.MultipleChoiceField(label=_("选择项目"), required=False, choices=())

    def __init__(self, *args, project_choices=(), **kw):
        super().__init__(*args, **kw)
        self.fields["projects"].choices = project_choices
