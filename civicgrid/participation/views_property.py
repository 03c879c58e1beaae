"""Thin staff views for red property: companies, compounds, inspections, assessment."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.cases import selectors as case_selectors
from civicgrid.cases import services as case_services
from civicgrid.core.errors import NotFound
from civicgrid.core.scoping import CHANGE
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.choices import UnitKind
from civicgrid.orgs.models import PartyOrganization, Unit

from . import assessment, exports, selectors, services
from .forms import CompoundForm, ProfileForm
from .models import AssessmentPublication, Compound, Criterion, Inspection, PropertyCompanyProfile
from .routing import suggested_company
from .services.property import get_company
from .views import change_areas, form_errors, run


def _month(request) -> dt.date:
    today = timezone.localdate().replace(day=1)
    try:
        y, m = (
            int(x) for x in (request.GET.get("month") or request.POST.get("month") or "").split("-")
        )
        return dt.date(y, m, 1)
    except ValueError:
        return today


@login_required
def company_list(request):
    companies = (
        Unit.objects.restrict(request.user)
        .filter(kind=UnitKind.PROPERTY_COMPANY)
        .select_related("area", "property_profile")
        .annotate(n_compounds=Count("compounds", distinct=True), homes=Sum("compounds__households"))
        .order_by("name")[:300]
    )
    return render(
        request,
        "participation/company_list.html",
        {
            "companies": companies,
            "compounds": selectors.compounds(user=request.user).order_by("community__path", "name")[
                :300
            ],
        },
    )


@login_required
def company_detail(request, pk: int):
    company = get_company(user=request.user, pk=pk)
    profile = (
        PropertyCompanyProfile.objects.filter(unit=company)
        .select_related("party_organization")
        .first()
    )
    form = ProfileForm(
        request.POST or None,
        initial={
            "licence_no": profile.licence_no if profile else "",
            "licence_expires": profile.licence_expires if profile else None,
            "hotline": profile.hotline if profile else "",
            "manager_name": profile.manager_name if profile else "",
            "party_organization": profile.party_organization_id
            if profile
            else company.party_organization_id,
        },
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            org = (
                PartyOrganization.objects.restrict(request.user)
                .filter(pk=d["party_organization"])
                .first()
                if d.get("party_organization")
                else None
            )
            if run(
                request,
                lambda: services.company_profile_save(
                    actor=request.user,
                    unit=company,
                    licence_no=d["licence_no"],
                    licence_expires=d.get("licence_expires"),
                    hotline=d["hotline"],
                    manager_name=d["manager_name"],
                    party_organization=org,
                ),
                _("档案已保存。"),
            ):
                return redirect("participation:company", pk=pk)
        else:
            form_errors(request, form)
    trend = assessment.trend(company=company)
    return render(
        request,
        "participation/company_detail.html",
        {
            "company": company,
            "profile": profile,
            "form": form,
            "trend": trend,
            "compounds": Compound.objects.restrict(request.user)
            .filter(company=company)
            .select_related("community")
            .prefetch_related("grid_links__grid"),
            "inspections": Inspection.objects.restrict(request.user)
            .filter(company=company)
            .select_related("inspector")[:24],
            "orgs": PartyOrganization.objects.restrict(request.user).order_by("path")[:300],
            "chart": {
                "months": [t["month"] for t in trend],
                "composite": [t["composite"] for t in trend],
                "inspection": [t["inspection"] for t in trend],
                "complaints": [t["complaints"] for t in trend],
                "labels": [_("综合得分"), _("检查得分"), _("投诉件数")],
            },
            "can_change": has_capability(request.user, CHANGE),
        },
    )


@login_required
def compound_edit(request, pk: int | None = None):
    compound = None
    if pk is not None:
        compound = Compound.objects.restrict(request.user).filter(pk=pk).first()
        if compound is None:
            raise NotFound()
    communities = change_areas(request.user, Area.Level.COMMUNITY)
    grids = (
        Grid.objects.restrict(request.user, CHANGE)
        .select_related("community")
        .order_by("code")[:500]
    )
    form = CompoundForm(
        request.POST or None,
        grid_choices=[(str(g.pk), f"{g.community.name} · {g.name}") for g in grids],
        initial={
            "name": compound.name,
            "community": compound.community_id,
            "company": compound.company_id,
            "households": compound.households,
            "grids": [str(x) for x in compound.grid_links.values_list("grid_id", flat=True)],
        }
        if compound
        else None,
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            community = communities.filter(pk=d["community"]).first()
            company = (
                Unit.objects.restrict(request.user)
                .filter(pk=d["company"], kind=UnitKind.PROPERTY_COMPANY)
                .first()
                if d.get("company")
                else None
            )
            chosen = list(
                Grid.objects.restrict(request.user, CHANGE).filter(
                    pk__in=[int(x) for x in d["grids"]]
                )
            )
            if community is None:
                messages.error(request, _("找不到该社区,或您无权修改。"))
            else:
                saved = run(
                    request,
                    lambda: services.compound_save(
                        actor=request.user,
                        compound=compound,
                        name=d["name"],
                        community=community,
                        company=company,
                        households=d["households"],
                        grids=chosen,
                    ),
                    _("小区已保存。"),
                )
                if saved:
                    return redirect("participation:companies")
        else:
            form_errors(request, form)
    return render(
        request,
        "participation/compound_edit.html",
        {
            "form": form,
            "compound": compound,
            "communities": communities,
            "companies": Unit.objects.restrict(request.user)
            .filter(kind=UnitKind.PROPERTY_COMPANY)
            .order_by("name"),
            "grids": grids,
        },
    )


@login_required
def inspection_new(request, pk: int):
    company = get_company(user=request.user, pk=pk)
    month = _month(request)
    criteria = list(Criterion.objects.filter(active=True))
    existing = (
        Inspection.objects.filter(company=company, month=month).prefetch_related("scores").first()
    )
    values = {s.criterion_id: s.score for s in existing.scores.all()} if existing else {}
    if request.method == "POST":
        scores = {c.pk: request.POST.get(f"c{c.pk}", "") for c in criteria}
        values = scores
        if run(
            request,
            lambda: services.inspection_record(
                actor=request.user,
                company=company,
                month=month,
                scores=scores,
                note=request.POST.get("note", ""),
            ),
            _("检查得分已保存。"),
        ):
            return redirect("participation:company", pk=pk)
    return render(
        request,
        "participation/inspection_form.html",
        {
            "company": company,
            "month": f"{month:%Y-%m}",
            "rows": [(c, values.get(c.pk, "")) for c in criteria],
            "note": existing.note if existing else request.POST.get("note", ""),
        },
    )


def _assessment_area(request):
    areas = Area.objects.restrict(request.user).order_by("level", "path")
    area = None
    value = request.GET.get("area") or request.POST.get("area") or ""
    if value.isdigit():
        area = areas.filter(pk=int(value)).first()
    return (area or areas.first()), areas


@login_required
def assessment_page(request):
    area, areas = _assessment_area(request)
    month = _month(request)
    rows = assessment.compute(area=area, month=month, user=request.user) if area else []
    if request.GET.get("format") == "xlsx":
        content = exports.assessment_xlsx(rows, title=f"{area.name if area else ''} {month:%Y-%m}")
        resp = HttpResponse(content, content_type=exports.XLSX)
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''property-{month:%Y%m}.xlsx"
        return resp
    published = (
        AssessmentPublication.objects.filter(area=area, month=month).first() if area else None
    )
    return render(
        request,
        "participation/assessment.html",
        {
            "area": area,
            "areas": areas,
            "month": f"{month:%Y-%m}",
            "rows": rows,
            "published": published,
            "weights": {
                "inspection": int(assessment.INSPECTION_WEIGHT * 100),
                "complaint": int(assessment.COMPLAINT_WEIGHT * 100),
                "penalty": assessment.COMPLAINT_PENALTY,
            },
        },
    )


@login_required
@require_POST
def assessment_publish(request):
    area, _areas = _assessment_area(request)
    month = _month(request)
    if area is None:
        raise NotFound()
    pub = run(
        request,
        lambda: services.assessment_publish(actor=request.user, area=area, month=month),
        _("红黄榜已公布。"),
    )
    if pub:
        return redirect("participation:public_assessment", pk=pub.pk)
    return redirect(f"{request.path.rsplit('publish/', 1)[0]}?area={area.pk}&month={month:%Y-%m}")


@login_required
@require_POST
def dispatch_property(request, pk: int):
    """The case page's suggestion: dispatch a property matter to the compound's company."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise NotFound()
    company = suggested_company(case)
    if company is None:
        messages.error(request, _("该事件不属于有物业公司的小区的物业事项。"))
        return redirect("cases:detail", pk=pk)
    version = request.POST.get("version") or ""
    run(
        request,
        lambda: case_services.case_transition(
            actor=request.user,
            case=case,
            action="dispatch",
            to_unit=company,
            expected_version=int(version) if version.isdigit() else None,
            note=request.POST.get("note", ""),
        ),
        _("已派给物业公司 %(c)s。") % {"c": company.name},
    )
    return redirect("cases:detail", pk=pk)
