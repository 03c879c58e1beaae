"""The work-bench (home page): the user's scope, a few counts, and where to go next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.analytics.models import CaseRollup
from civicgrid.analytics.screen import _trend as rollup_trend
from civicgrid.cases import selectors as case_selectors
from civicgrid.core.scoping import get_scope
from civicgrid.geo import selectors as geo_selectors
from civicgrid.orgs import selectors as org_selectors
from civicgrid.orgs.access import has_capability
from civicgrid.orgs.choices import GRID_ROLES, Role
from civicgrid.people import selectors as people_selectors

# The queues drawn on the home page's bar chart, in this order; overdue red, due soon yellow.
CHART_QUEUES = ("accept", "dispatch", "in_progress", "due_soon", "overdue")
QUEUE_COLORS = {"due_soon": "#f0b400", "overdue": "#c8161d"}
TREND_DAYS = 14


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
    queue_counts = case_selectors.queue_counts(user=user)
    chart_queues = [(n, case_selectors.QUEUES[n], queue_counts[n]) for n in CHART_QUEUES]
    # The big screen's daily line (received, and of those resolved), from the scoped rollups.
    rollups = CaseRollup.objects.restrict(user)
    days = [] if scope.empty else rollup_trend(rollups, timezone.localdate())[-TREND_DAYS:]
    chart = {
        "queues": {
            "x": [str(label) for _n, label, _c in chart_queues],
            "series": [
                {
                    "name": _("件数"),
                    "values": [c for _n, _l, c in chart_queues],
                    "colors": [QUEUE_COLORS.get(n) for n, _l, _c in chart_queues],
                }
            ],
        },
        "trend": {
            "x": [d["day"][5:] for d in days],
            "series": [
                {"name": _("当日受理"), "values": [d["received"] for d in days]},
                {
                    "name": _("其中已办结"),
                    "values": [d["resolved"] for d in days],
                    "color": "#3a9a5b",
                },
            ],
        },
    }
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
                (name, case_selectors.QUEUES[name], n) for name, n in queue_counts.items() if n
            ],
            "chart_queues": chart_queues if any(c for _n, _l, c in chart_queues) else [],
            "trend_days": days,
            "chart": chart,
        },
    )
