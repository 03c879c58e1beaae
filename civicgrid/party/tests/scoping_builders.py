"""Scoping builders for the party models (see orgs/tests/test_scoping_all_models.py)."""

from civicgrid.party.choices import PointsEvent
from civicgrid.party.points import points_award


def _entry(side):
    return points_award(actor=None, event=PointsEvent.CASE_REPORTED, member=side.member(),
                        source=f"scoping:{side.tag}")


BUILDERS = {
    "party.pointsentry": _entry,
}
