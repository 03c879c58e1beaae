"""FilterSets for the lists. They parse and validate the query string, then hand the values to
the same selector functions the pages use, so a page and the API filter alike."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from civicgrid.cases import selectors as case_selectors
from civicgrid.cases.choices import Domain, SlaState, Source, Status, Tier
from civicgrid.cases.models import MatterItem
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs import selectors as org_selectors
from civicgrid.orgs.choices import OrgKind, UnitKind
from civicgrid.people import selectors as people_selectors
from civicgrid.people.choices import AttentionLevel, PartyMemberRole
from civicgrid.people.forms import PartyMemberFilterForm, ResidentSearchForm

MAX_ID = 2**53


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number (django-filter's NumberFilter would take "1.5")."""

    field_class = forms.IntegerField


def _id_filter(field_name: str, label) -> IdFilter:
    return IdFilter(field_name=field_name, label=label, min_value=1, max_value=MAX_ID)


class CaseFilter(django_filters.FilterSet):
    """The case queue page's filters (``cases.selectors.queue_q`` and ``apply_filters``)."""

    queue = django_filters.ChoiceFilter(
        choices=list(case_selectors.QUEUES.items()), label=_("队列"), method="_noop"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, method="_noop")
    sla = django_filters.ChoiceFilter(choices=SlaState.choices, method="_noop")
    domain = django_filters.ChoiceFilter(choices=Domain.choices, method="_noop")
    source = django_filters.ChoiceFilter(choices=Source.choices, method="_noop")
    q = django_filters.CharFilter(label=_("全文检索"), max_length=100, method="_noop")
    sort = django_filters.ChoiceFilter(
        choices=[(k, k) for k in case_selectors.SORTS], method="_noop"
    )

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        name = data.pop("queue", "all")
        queryset = queryset.filter(case_selectors.queue_q(user=self.request.user, name=name))
        return case_selectors.apply_filters(queryset, data)


class ResidentFilter(django_filters.FilterSet):
    """The resident search page (ResidentSearchForm): a name prefix, or an exact phone or ID
    number through the keyed-hash index; and the three-colour level."""

    q = django_filters.CharFilter(max_length=50, method="_noop", label=_("姓名、手机号或身份证号"))
    attention_level = django_filters.ChoiceFilter(choices=AttentionLevel.choices, method="_noop")
    grid = _id_filter("grid_id", _("网格"))

    class Meta:
        form = ResidentSearchForm

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        q, level = (d.get("q") or "").strip(), d.get("attention_level") or ""
        user = self.request.user
        if people_selectors.search_kind(q):
            queryset = people_selectors.resident_search(user=user, q=q)
            if level:
                queryset = queryset.filter(attention_level=level)
        else:
            queryset = people_selectors.resident_list(user=user, attention_level=level)
        if d.get("grid"):
            queryset = queryset.filter(grid_id=d["grid"])
        return queryset


class PartyMemberFilter(django_filters.FilterSet):
    """The party member page (PartyMemberFilterForm) through ``party_member_list``."""

    q = django_filters.CharFilter(max_length=50, method="_noop", label=_("姓名"))
    organization = _id_filter("organization_id", _("党组织(含下级)"))
    roles = django_filters.MultipleChoiceFilter(choices=PartyMemberRole.choices, method="_noop")
    grid = _id_filter("grid_id", _("网格"))
    work_unit = _id_filter("work_unit_id", _("工作单位"))

    class Meta:
        form = PartyMemberFilterForm

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        d, user = self.form.cleaned_data, self.request.user
        organization = None
        if d.get("organization"):
            organization = (
                org_selectors.party_org_list(user=user).filter(pk=d["organization"]).first()
            )
            if organization is None:
                return queryset.none()
        queryset = people_selectors.party_member_list(
            user=user, organization=organization, roles=d.get("roles") or (), q=d.get("q") or ""
        )
        for field in ("grid", "work_unit"):
            if d.get(field):
                queryset = queryset.filter(**{f"{field}_id": d[field]})
        return queryset


class UnitFilter(django_filters.FilterSet):
    """The unit list page (kind, name contains) through ``unit_list``."""

    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, method="_noop")
    q = django_filters.CharFilter(max_length=50, method="_noop", label=_("名称包含"))
    grid = _id_filter("grid_id", _("网格"))

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        queryset = org_selectors.unit_list(
            user=self.request.user, kind=d.get("kind") or "", q=(d.get("q") or "").strip()
        )
        return queryset.filter(grid_id=d["grid"]) if d.get("grid") else queryset


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices)
    parent = _id_filter("parent_id", _("上级"))

    class Meta:
        model = Area
        fields = ["level", "parent"]


class GridFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Grid.Kind.choices)
    community = _id_filter("community_id", _("社区"))
    parent = _id_filter("parent_id", _("上级网格"))

    class Meta:
        model = Grid
        fields = ["kind", "community", "parent"]


class PartyOrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    parent = _id_filter("parent_id", _("上级党组织"))
    area = _id_filter("area_id", _("区划"))


class HouseholdFilter(django_filters.FilterSet):
    grid = _id_filter("grid_id", _("网格"))
    building = _id_filter("building_id", _("楼栋"))
    area = _id_filter("area_id", _("社区"))


class BuildingFilter(django_filters.FilterSet):
    grid = _id_filter("grid_id", _("网格"))
    area = _id_filter("area_id", _("社区"))


class MatterItemFilter(django_filters.FilterSet):
    group = _id_filter("group_id", _("分类"))
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    level = django_filters.ChoiceFilter(choices=Tier.choices)
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", max_length=50)

    class Meta:
        model = MatterItem
        fields = ["group", "domain", "level"]
