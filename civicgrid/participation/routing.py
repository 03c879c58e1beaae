"""Property companies in the case loop (物业专栏 接诉即办): which company a case belongs to.

A case belongs to a compound when its grid is one of the compound's grids (CompoundGrid: a
grid is in at most one compound). A property-matter case (assessment.property_item_codes) in
a compound served by a company has that company as its suggested handler.
"""

from __future__ import annotations

from civicgrid.orgs.models import Unit

from .assessment import property_item_codes
from .models import CompoundGrid


def compound_of(case):
    if not case.grid_id:
        return None
    link = (
        CompoundGrid.objects.filter(grid_id=case.grid_id)
        .select_related("compound__company")
        .first()
    )
    return link.compound if link else None


def suggested_company(case) -> Unit | None:
    """The property company that should handle this case, or None."""
    if case.item.code not in property_item_codes():
        return None
    compound = compound_of(case)
    return compound.company if compound is not None and compound.company_id else None
