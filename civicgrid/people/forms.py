"""Forms for the people pages. They only parse input; services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AttentionLevel, PartyMemberRole


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、手机号或身份证号"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("姓名(前几个字)、手机号或身份证号")}
        ),
    )
    attention_level = forms.ChoiceField(
        label=_("关注等级"), required=False, choices=[("", _("全部")), *AttentionLevel.choices]
    )


class VisitForm(forms.Form):
    notes = forms.CharField(
        label=_("走访记录"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    needs = forms.CharField(
        label=_("收集诉求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attention_level = forms.ChoiceField(
        label=_("走访后关注等级"),
        required=False,
        choices=[("", _("不变")), *AttentionLevel.choices],
    )


class PartyMemberFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)
    organization = forms.TypedChoiceField(
        label=_("党组织"), required=False, coerce=int, empty_value=None
    )
    roles = forms.MultipleChoiceField(
        label=_("身份"),
        required=False,
        choices=PartyMemberRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            ("", _("全部")),
            *((o.pk, o.name) for o in organizations),
        ]
