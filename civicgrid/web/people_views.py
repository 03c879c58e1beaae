"""Residents (search, page, PII reveal, visits) and party members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.core.scoping import CHANGE
from civicgrid.orgs import selectors as org_selectors
from civicgrid.orgs.access import can_act_on
from civicgrid.people import selectors as people_selectors
from civicgrid.people import services as people_services
from civicgrid.people.forms import PartyMemberFilterForm, ResidentSearchForm, VisitForm

from .paging import paginate


@login_required
def resident_list(request):
    form = ResidentSearchForm(request.GET or None)
    q, level = "", ""
    if form.is_valid():
        q, level = form.cleaned_data["q"].strip(), form.cleaned_data["attention_level"]
    kind = people_selectors.search_kind(q)
    if kind:
        qs = people_selectors.resident_search(user=request.user, q=q)
        if level:
            qs = qs.filter(attention_level=level)
    else:
        qs = people_selectors.resident_list(user=request.user, attention_level=level)
    page = paginate(request, qs)
    if kind in ("phone", "id_number") and page.number == 1:
        # The value searched for is not stored: only that a look-up by it happened.
        audit_record(
            actor=request.user,
            action=AuditLog.Action.SEARCH,
            field=kind,
            detail={"results": page.paginator.count},
            request=request,
        )
    return render(
        request, "web/resident_list.html", {"form": form, "page": page, "q": q, "kind": kind}
    )


def _resident_context(request, resident, *, visit_form=None, revealed=None) -> dict:
    user = request.user
    return {
        "resident": resident,
        "members": people_selectors.household_members(user=user, resident=resident),
        "visits": people_selectors.visit_list(user=user, resident=resident),
        "can_reveal": can_act_on(user, resident, "reveal_pii"),
        "can_visit": can_act_on(user, resident, CHANGE),
        "visit_form": visit_form or VisitForm(),
        "revealed": revealed or {},
    }


@login_required
def resident_detail(request, pk: int):
    resident = people_selectors.resident_get_or_404(user=request.user, pk=pk)
    return render(request, "web/resident_detail.html", _resident_context(request, resident))


@login_required
@require_POST
def resident_reveal(request, pk: int, field: str):
    resident = people_selectors.resident_get_or_404(user=request.user, pk=pk)
    value = people_services.pii_reveal(
        actor=request.user, obj=resident, field=field, request=request
    )
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/pii_value.html", {"value": value})
    context = _resident_context(request, resident, revealed={field: value})
    return render(request, "web/resident_detail.html", context)


@login_required
@require_POST
def visit_add(request, pk: int):
    resident = people_selectors.resident_get_or_404(user=request.user, pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            people_services.visit_record(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationFailed as e:
            for name, errors in (e.details or {}).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            if not e.details:
                form.add_error(None, str(e.message))
        else:
            messages.success(request, _("已记录走访。"))
            return redirect(reverse("resident_detail", args=[resident.pk]) + "#visits")
    context = _resident_context(request, resident, visit_form=form)
    return render(request, "web/resident_detail.html", context, status=400)


@login_required
def party_member_list(request):
    user = request.user
    orgs = list(
        org_selectors.party_org_list(user=user).select_related(None).only("id", "name", "path")
    )
    form = PartyMemberFilterForm(request.GET or None, organizations=orgs)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        by_id = {o.pk: o for o in orgs}
        filters = {"organization": by_id.get(d["organization"]), "roles": d["roles"], "q": d["q"]}
    page = paginate(request, people_selectors.party_member_list(user=user, **filters))
    return render(request, "web/party_member_list.html", {"form": form, "page": page})


@login_required
def party_member_detail(request, pk: int):
    member = people_selectors.party_member_get(user=request.user, pk=pk)
    return _member_page(request, member)


def _member_page(request, member, revealed=None):
    user = request.user
    context = {
        "member": member,
        "households": people_selectors.served_households(user=user, member=member),
        "can_reveal": can_act_on(user, member, "reveal_pii"),
        "revealed": revealed or {},
    }
    return render(request, "web/party_member_detail.html", context)


@login_required
@require_POST
def party_member_reveal(request, pk: int, field: str):
    member = people_selectors.party_member_get(user=request.user, pk=pk)
    value = people_services.pii_reveal(actor=request.user, obj=member, field=field, request=request)
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/pii_value.html", {"value": value})
    return _member_page(request, member, revealed={field: value})
