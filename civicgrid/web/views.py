"""The work-bench (home page): the user's scope, a few counts, and where to go next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from civicgrid.cases import selectors as case_selectors
from civicgrid.core.scoping import get_scope
from civicgrid.geo import selectors as geo_selectors
from civicgrid.orgs import selectors as org_selectors
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.choices import GRID_ROLES, Role
from civicgrid.people import selectors as people_selectors


@login_required
def home(request):
    user = request.user
    scope = get_scope(user)
    assignments = list(org_selectors.user_assignments(user=user))
    by_level = people_selectors.attention_counts(user=user)
    counts = {
        "grids": geo_selectors.grid_list(user=user).count(),
        "residents": sum(by_level.values()),
        "red": by_level.get("red", 0),
        "yellow": by_level.get("yellow", 0),
        "party_members": people_selectors.party_member_list(user=user).count(),
        "units": org_selectors.unit_list(user=user).count(),
    }
    my_grids = [a.grid for a in assignments if a.role in GRID_ROLES and a.grid_id]
    return render(
        request,
        "web/home.html",
        {
            "assignments": assignments,
            "counts": counts,
            "my_grids": my_grids,
            "is_grid_role": bool(scope.roles & GRID_ROLES) and not scope.area_ids,
            "is_leader": Role.LEADER in scope.roles,
            "is_admin": user.is_superuser or Role.SYSTEM_ADMIN in scope.roles,
            "can_export": has_capability(user, "export"),
            "empty_scope": scope.empty,
            "case_queues": [
                (name, case_selectors.QUEUES[name], n)
                for name, n in case_selectors.queue_counts(user=user).items()
                if n
            ],
        },
    )
