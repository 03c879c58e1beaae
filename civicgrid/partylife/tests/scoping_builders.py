"""Scoping builders for the party-life models (see orgs/tests/test_scoping_all_models.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civicgrid.partylife import models as m


def _round(s):
    return m.EvaluationRound.objects.create(name=f"轮次{s.tag}", period="2026", area=s.community)


def _meeting(s):
    return m.Meeting.objects.create(
        organization=s.org(),
        kind="branch_committee",
        held_on=dt.date(2026, 1, 5),
        topic=f"会议{s.tag}",
    )


def _warning(s):
    return m.OrgWarning.objects.create(
        organization=s.org(), kind="no_meeting", detail="x", raised_on=dt.date(2026, 1, 5)
    )


BUILDERS = {
    "partylife.evaluationround": _round,
    "partylife.evaluationassignment": lambda s: m.EvaluationAssignment.objects.create(
        round=_round(s),
        direction="community_to_unit",
        area=s.community,
        rater_area=s.community,
        target_unit=s.unit(),
    ),
    "partylife.meeting": _meeting,
    "partylife.trainingrecord": lambda s: m.TrainingRecord.objects.create(
        member=s.member(), taken_on=dt.date(2026, 1, 5), title="学习", hours=Decimal("2")
    ),
    "partylife.duesbase": lambda s: m.DuesBase.objects.create(
        member=s.member(),
        since=dt.date(2026, 1, 1),
        category="employed",
        monthly_income=Decimal("4000"),
        monthly_dues=Decimal("40"),
    ),
    "partylife.duespayment": lambda s: m.DuesPayment.objects.create(
        member=s.member(),
        month=dt.date(2026, 1, 1),
        amount=Decimal("40"),
        paid_on=dt.date(2026, 1, 5),
    ),
    "partylife.starrating": lambda s: m.StarRating.objects.create(
        organization=s.org(), year=2026, total=Decimal("80"), stars=4
    ),
    "partylife.orgwarning": _warning,
    "partylife.rectification": lambda s: m.Rectification.objects.create(
        warning=_warning(s), issue="整改", owner=s.tiny.street_staff, deadline=dt.date(2026, 2, 1)
    ),
}
