"""Party organisations and units."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from civicgrid.orgs import selectors as org_selectors
from civicgrid.orgs.choices import UnitKind
from civicgrid.people import selectors as people_selectors

from .paging import paginate


@login_required
def party_org_tree(request):
    rows = org_selectors.party_org_tree(user=request.user)
    counts = people_selectors.member_counts_by_organization(user=request.user)
    for row in rows:
        row.members = counts.get(row.org.pk, 0)
    return render(request, "web/party_org_tree.html", {"rows": rows})


@login_required
def party_org_detail(request, pk: int):
    user = request.user
    org = org_selectors.party_org_get(user=user, pk=pk)
    members = people_selectors.party_member_list(user=user).filter(organization=org)
    context = {
        "org": org,
        "children": org_selectors.party_org_children(user=user, org=org),
        "members": paginate(request, members),
        "units": org_selectors.unit_list(user=user).filter(party_organization=org),
    }
    return render(request, "web/party_org_detail.html", context)


@login_required
def unit_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in UnitKind.values else ""
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, org_selectors.unit_list(user=request.user, kind=kind, q=q))
    return render(
        request,
        "web/unit_list.html",
        {"page": page, "kinds": UnitKind.choices, "kind": kind, "q": q},
    )


@login_required
def unit_detail(request, pk: int):
    user = request.user
    unit = org_selectors.unit_get(user=user, pk=pk)
    context = {
        "unit": unit,
        "organizations": org_selectors.party_org_list(user=user).filter(unit=unit),
        "members": paginate(request, people_selectors.party_member_list(user=user, work_unit=unit)),
    }
    return render(request, "web/unit_detail.html", context)
