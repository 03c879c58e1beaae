"""Scoping builders for the party models (see orgs/tests/test_scoping_all_models.py)."""

from civicgrid.party.choices import PointsEvent
from civicgrid.party.models import PointsTally
from civicgrid.party.points import points_award
from civicgrid.party.reporting import report_submit


def _entry(side):
    return points_award(
        actor=None,
        event=PointsEvent.CASE_REPORTED,
        member=side.member(),
        source=f"scoping:{side.tag}",
    )


def _tally(side):
    entry = _entry(side)
    return PointsTally.objects.filter(
        subject_key=entry.subject_key, period=PointsTally.MONTH
    ).first()


def _report(side):
    return report_submit(actor=None, member=side.member(), community=side.community)


BUILDERS = {
    "party.pointsentry": _entry,
    "party.pointstally": _tally,
    "party.dualreport": _report,
    "party.reportevent": lambda side: _report(side).events.first(),
}
