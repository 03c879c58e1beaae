"""Scoping builders for the patrols models (see orgs/tests/test_scoping_all_models.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from civicgrid.patrols import models as m
from civicgrid.testing.factories import make_user


def _user(s, what):
    return make_user(username=f"patrols-{what}-{s.tag}")


def _patrol(s):
    return m.Patrol.objects.create(
        worker=_user(s, "worker"),
        grid=s.grid,
        area=s.community,
        started_at=timezone.now(),
        status="ended",
        ended_at=timezone.now(),
    )


def _assignment(s):
    return m.ContactAssignment.objects.create(
        leader=_user(s, "leader"),
        target_area=s.community,
        area=s.community,
        since=dt.date(2026, 1, 1),
    )


def _visit(s):
    a = _assignment(s)
    return m.ContactVisit.objects.create(
        assignment=a,
        leader=a.leader,
        area=s.community,
        visited_on=dt.date(2026, 2, 1),
        met_with="x",
        heard="y",
        recorded_by=a.leader,
    )


def _profile(s):
    return m.GigWorkerProfile.objects.create(
        member=s.member(),
        platform="平台",
        sector="rider",
        sector_organization=s.org(),
        area=s.community,
        since=dt.date(2026, 1, 1),
    )


BUILDERS = {
    "patrols.patrol": _patrol,
    "patrols.patrolpoint": lambda s: m.PatrolPoint.objects.create(
        patrol=_patrol(s), seq=0, at=timezone.now(), lon=114.0, lat=23.0
    ),
    "patrols.patrolcase": lambda s: m.PatrolCase.objects.create(patrol=_patrol(s), case=s.case()),
    "patrols.patrolduty": lambda s: m.PatrolDuty.objects.create(grid=s.grid, area=s.community),
    "patrols.missedpatrol": lambda s: m.MissedPatrol.objects.create(
        grid=s.grid,
        area=s.community,
        day=dt.date(2026, 3, 1),
        frequency="daily",
        expected=1,
        done=0,
    ),
    "patrols.contactassignment": _assignment,
    "patrols.contactvisit": _visit,
    "patrols.contactvisitcase": lambda s: m.ContactVisitCase.objects.create(
        visit=_visit(s), case=s.case()
    ),
    "patrols.partyinstructor": lambda s: m.PartyInstructor.objects.create(
        unit=s.unit(), area=s.community, name="指导员", appointed_on=dt.date(2026, 1, 1)
    ),
    "patrols.coverageflag": lambda s: m.CoverageFlag.objects.create(
        unit=s.unit(), area=s.community, members_count=3, raised_on=dt.date(2026, 1, 1)
    ),
    "patrols.gigworkerprofile": _profile,
    "patrols.mobilereport": lambda s: m.MobileReport.objects.create(
        profile=_profile(s), case=s.case(), area=s.community
    ),
}
