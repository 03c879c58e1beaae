from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import OfferKind, OwnerKind, WishCategory, WishKind


class WishForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=WishKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(
        label=_("内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=WishCategory.choices, initial=WishCategory.OTHER
    )
    community = forms.ModelChoiceField(label=_("社区"), queryset=None, required=False)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("提出单位(单位支持事项)"), queryset=None, required=False)
    owner_label = forms.CharField(label=_("心愿人称呼"), max_length=50, required=False)
    wanted_by = forms.DateField(
        label=_("期望完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, communities, grids, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["grid"].queryset = grids
        self.fields["unit"].queryset = units


class PortalWishForm(forms.Form):
    title = forms.CharField(label=_("我的心愿"), max_length=100)
    description = forms.CharField(
        label=_("具体说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=WishCategory.choices, initial=WishCategory.LIVING
    )
    community = forms.ModelChoiceField(label=_("所在社区"), queryset=None)
    owner_label = forms.CharField(label=_("公开称呼(如“张阿姨”)"), max_length=50, required=False)
    wanted_by = forms.DateField(
        label=_("期望完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class WorkerWishForm(forms.Form):
    resident = forms.ModelChoiceField(label=_("居民"), queryset=None)
    title = forms.CharField(label=_("心愿"), max_length=100)
    description = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=WishCategory.choices, initial=WishCategory.LIVING
    )
    owner_label = forms.CharField(label=_("公开称呼"), max_length=50, required=False)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents


class OfferForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    kind = forms.ChoiceField(label=_("类型"), choices=OfferKind.choices)
    category = forms.ChoiceField(
        label=_("适用类别"), choices=WishCategory.choices, initial=WishCategory.OTHER
    )
    title = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False)
    quantity = forms.CharField(label=_("数量/规模"), max_length=50, required=False)
    amount = forms.DecimalField(
        label=_("金额(元)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    volunteers = forms.IntegerField(label=_("志愿者人数"), required=False, min_value=1)
    available_until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AgreementForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=100)
    signed_on = forms.DateField(
        label=_("签订日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("备注"), max_length=2000, required=False)

    def __init__(self, *args, units, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["community"].queryset = communities


class AgreementItemForm(forms.Form):
    title = forms.CharField(label=_("共建事项"), max_length=200)
    owner_kind = forms.ChoiceField(label=_("责任方"), choices=OwnerKind.choices)
    owner_name = forms.CharField(label=_("责任人"), max_length=50, required=False)
    deadline = forms.DateField(
        label=_("完成期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PairingForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=None)
    resident = forms.ModelChoiceField(label=_("帮扶对象"), queryset=None)
    since = forms.DateField(label=_("结对日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("帮扶内容"), max_length=200, required=False)

    def __init__(self, *args, members, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["resident"].queryset = residents
