from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import MatterItem

from .choices import Cadence, GigSector


class ContactAssignForm(forms.Form):
    leader = forms.ModelChoiceField(queryset=None, label=_("领导"))
    target_area = forms.ModelChoiceField(queryset=None, required=False, label=_("联系村社区/街道"))
    target_unit = forms.ModelChoiceField(queryset=None, required=False, label=_("联系单位/企业"))
    cadence = forms.TypedChoiceField(
        choices=Cadence.choices, coerce=int, initial=Cadence.QUARTERLY, label=_("最低联系频次")
    )
    since = forms.DateField(
        label=_("联系起始日"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, leaders, areas, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders
        self.fields["target_area"].queryset = areas
        self.fields["target_unit"].queryset = units


class ContactVisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    met_with = forms.CharField(label=_("接谈对象"), max_length=200)
    heard = forms.CharField(
        label=_("听取情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    decided = forms.CharField(
        label=_("议定事项"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opinions_count = forms.IntegerField(label=_("收集意见数"), min_value=0, required=False)
    opinions = forms.CharField(
        label=_("意见摘录(每行一条)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _key():
    return uuid.uuid4().hex


class RaiseCaseForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, initial=_key, required=False)
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True), label=_("事项类别")
    )
    text = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    grid = forms.ModelChoiceField(queryset=None, required=False, label=_("所在网格"))

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class ReportForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, initial=_key)
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True), label=_("事项类别")
    )
    text = forms.CharField(
        label=_("看到了什么"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lon = forms.FloatField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(label=_("地点"), max_length=200, required=False)


class GigProfileForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label=_("党员"))
    platform = forms.CharField(label=_("平台/企业"), max_length=100)
    sector = forms.ChoiceField(choices=GigSector.choices, label=_("行业"))
    sector_organization = forms.ModelChoiceField(queryset=None, label=_("行业党组织"))

    def __init__(self, *args, members, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        from civicgrid.orgs.models import PartyOrganization

        self.fields["member"].queryset = members
        self.fields["sector_organization"].queryset = PartyOrganization.objects.filter(
            pk__in=[o.pk for o in orgs]
        )
