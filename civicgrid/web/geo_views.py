"""Area tree, the grid map (page and scoped JSON), and the grid page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from civicgrid.geo import selectors as geo_selectors
from civicgrid.orgs import selectors as org_selectors
from civicgrid.people import selectors as people_selectors

from .paging import paginate


@login_required
def area_tree(request):
    by_community, by_grid = people_selectors.people_counts(user=request.user)
    roots = geo_selectors.area_tree(
        user=request.user, community_counts=by_community, grid_counts=by_grid
    )
    return render(request, "web/area_tree.html", {"rows": _flatten(roots)})


def _flatten(nodes, depth: int = 0) -> list[dict]:
    rows = []
    for node in nodes:
        rows.append({"depth": depth, "node": node, "grid": None})
        rows.extend(_flatten(node.children, depth + 1))
        rows.extend({"depth": depth + 1, "node": None, "grid": g} for g in node.grids)
    return rows


@login_required
def map_page(request):
    return render(request, "web/map.html", {"start_area": request.GET.get("area", "")})


@login_required
def map_data(request):
    """The features at one level of the map, coloured by residents; scoped to the user."""
    layer = geo_selectors.map_layer(user=request.user, area_id=request.GET.get("area"))
    by_community, by_grid = people_selectors.people_counts(user=request.user)
    features, data = [], []
    for f in layer.features:
        key = f"{f['kind']}-{f['id']}"
        if f["kind"] == "grid":
            counts = by_grid.get(f["id"], {})
            url = reverse("grid_detail", args=[f["id"]])
        else:
            parts = [by_community.get(c, {}) for c in f["community_ids"]]
            counts = {
                k: sum(p.get(k, 0) for p in parts)
                for k in ("households", "residents", "party_members")
            }
            url = reverse("map") + f"?area={f['id']}"
        features.append(
            {
                "type": "Feature",
                "properties": {"key": key, "name": f["name"]},
                "geometry": f["geometry"],
            }
        )
        data.append(
            {
                "name": key,
                "label": f["name"],
                "short": _short(f["name"], layer.area),
                "kind": f["kind"],
                "id": f["id"],
                "value": counts.get("residents", 0),
                "households": counts.get("households", 0),
                "party_members": counts.get("party_members", 0),
                "url": url,
            }
        )
    area = layer.area
    return JsonResponse(
        {
            "area": {"id": area.pk, "name": area.name, "level": area.level} if area else None,
            "breadcrumbs": [{"id": a.pk, "name": a.name} for a in layer.breadcrumbs],
            "geojson": {"type": "FeatureCollection", "features": features},
            "data": data,
        }
    )


@login_required
def grid_detail(request, pk: int):
    user = request.user
    grid = geo_selectors.grid_get(user=user, pk=pk)
    context = {
        "grid": grid,
        "staff": org_selectors.grid_staff(grid=grid),
        "households": paginate(
            request,
            people_selectors.household_list(user=user, grid=grid),
            param="hpage",
            per_page=20,
        ),
        "residents": paginate(
            request, people_selectors.resident_list(user=user, grid=grid), param="page"
        ),
        "members": paginate(
            request, people_selectors.party_member_list(user=user, grid=grid), param="mpage"
        ),
        "units": org_selectors.unit_list(user=user, grid=grid),
        "micro_grids": geo_selectors.grid_list(user=user).filter(parent=grid),
    }
    return render(request, "web/grid_detail.html", context)


def _short(name: str, area) -> str:
    """The map label without the parent's name: "荔枝社区第三网格" in 荔枝社区 reads "第三网格"."""
    if area is not None and name.startswith(area.name) and len(name) > len(area.name):
        return name[len(area.name) :]
    return name
