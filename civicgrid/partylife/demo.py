"""Demo data for 智慧党建 in the first street of the demo county: a year of 三会一课 with
attendance, training hours, dues with some arrears, star ratings, warnings (one under
rectification), a closed mutual-evaluation round of last year and an open one of this year.
Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.geo.models import Area
from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import PartyOrganization, RoleAssignment
from civicgrid.people.models import PartyMember

from . import choices as c
from . import rules, services
from .defaults import load_default_forms
from .models import EvaluationAssignment, EvaluationForm, EvaluationScore


def _org_department_user():
    ra = (
        RoleAssignment.objects.filter(role=Role.ORG_DEPARTMENT, active=True)
        .select_related("user")
        .first()
    )
    if ra:
        return ra.user
    return get_user_model().objects.filter(is_superuser=True, is_active=True).first()


def _submit(a: EvaluationAssignment, rng: random.Random, level: float) -> None:
    """Demo raters have no logins: write a submission the way evaluation_save does."""
    criteria = list(a.round.form_for(a.direction).criteria.all())
    scores = {}
    for cr in criteria:
        value = max(0, min(cr.max_score, round(rng.gauss(level, 1.2) * 2) / 2))
        scores[cr.pk] = Decimal(str(value))
    EvaluationScore.objects.bulk_create(
        [EvaluationScore(assignment=a, criterion_id=k, score=v) for k, v in scores.items()]
    )
    a.total = services._total(criteria, scores)
    a.status = c.AssignmentStatus.SUBMITTED
    a.submitted_at = timezone.now()
    a.save(update_fields=["total", "status", "submitted_at"])


@transaction.atomic
def seed(*, seed: int = 1, months: int = 12, today: dt.date | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    load_default_forms()
    county = Area.objects.filter(level=Area.Level.COUNTY).order_by("code").first()
    street = Area.objects.filter(level=Area.Level.STREET, parent=county).order_by("code").first()
    if street is None:
        return {}
    orgs = list(
        PartyOrganization.objects.filter(
            area__path__startswith=street.path, kind__in=c.GRASSROOTS_KINDS
        ).order_by("path", "id")
    )
    members_of: dict[int, list[PartyMember]] = {}
    for m in PartyMember.objects.filter(organization__in=orgs).order_by("id"):
        members_of.setdefault(m.organization_id, []).append(m)
    counts = {"meetings": 0, "training": 0, "payments": 0}
    start = rules.add_months(today.replace(day=1), -months)
    for org in orgs:
        members = members_of.get(org.pk, [])
        diligence = rng.choice(
            [1.0, 1.0, 0.98, 0.97, 0.95, 0.92, 0.85, 0.7, 0.4]
        )  # how well this organisation keeps up
        for month in rules.months_between(start, today - dt.timedelta(days=1)):
            for kind in rules.required_kinds(org):
                quarterly = c.FREQUENCY[kind] == c.Frequency.QUARTERLY
                if (quarterly and month.month % 3 != 1) or rng.random() > diligence:
                    continue
                held = month + dt.timedelta(days=rng.randint(3, 20))
                if held >= today:
                    continue
                attendance = {
                    m.pk: (
                        c.Attendance.PRESENT
                        if rng.random() < diligence
                        else rng.choice([c.Attendance.LEAVE, c.Attendance.ABSENT])
                    )
                    for m in members
                }
                services.meeting_record(
                    actor=None,
                    organization=org,
                    kind=kind,
                    held_on=held,
                    topic=rng.choice(
                        [
                            "学习贯彻党的创新理论",
                            "研究社区治理重点工作",
                            "主题党日:网格走访",
                            "专题党课:党建引领基层治理",
                            "民主评议党员",
                            "发展党员工作",
                        ]
                    ),
                    attendance=attendance,
                )
                counts["meetings"] += 1
        for m in members:
            category = rng.choices(list(c.DuesCategory.values), weights=[60, 28, 4, 4, 4])[0]
            income = (
                Decimal(rng.choice([2800, 3600, 4500, 6200, 8800, 12500]))
                if category in ("employed", "retired")
                else 0
            )
            services.dues_base_declare(
                actor=None, member=m, since=start, category=category, monthly_income=income
            )
            for month in rules.months_between(start, rules.add_months(today.replace(day=1), -1)):
                if rng.random() < diligence + 0.05:
                    services.dues_pay(
                        actor=None,
                        member=m,
                        month=month,
                        paid_on=month + dt.timedelta(days=rng.randint(1, 25)),
                    )
                    counts["payments"] += 1
            for _i in range(rng.randint(3, 9)):
                taken = today - dt.timedelta(days=rng.randint(1, 300))
                if taken.year != today.year:
                    continue
                services.training_record(
                    actor=None,
                    member=m,
                    taken_on=taken,
                    hours=rng.choice([3, 4, 6, 8]),
                    title=rng.choice(["网络学习", "集中轮训", "专题党课", "主题党日学习"]),
                    kind=rng.choice(list(c.MANUAL_TRAINING_KINDS)),
                )
                counts["training"] += 1
    actor = _org_department_user()
    for org in orgs:
        manual = rng.choice([6, 7, 8, 9, 10]) if actor is not None else None
        services.star_rating_compute(
            actor=actor if manual else None,
            organization=org,
            year=today.year,
            manual_score=manual,
            manual_note="组织部年度评定" if manual else None,
            today=today,
        )
    raised, _cleared = services.warnings_scan(actor=None, today=today, organizations=orgs)
    counts["warnings"] = raised
    from .models import OrgWarning

    first = (
        OrgWarning.objects.filter(organization__in=orgs, state=c.WarningState.OPEN)
        .order_by("id")
        .first()
    )
    owner = (
        RoleAssignment.objects.filter(role=Role.STREET_STAFF, area=street, active=True)
        .select_related("user")
        .first()
    )
    owner = owner.user if owner else actor
    if first and owner:
        rect = services.rectification_open(
            actor=None,
            warning=first,
            issue=first.detail,
            owner=owner,
            deadline=today + dt.timedelta(days=30),
        )
        services.rectification_note(
            actor=None, rectification=rect, text="已约谈支部书记,制定整改计划。"
        )
    if actor is not None:
        forms = {f.direction: f for f in EvaluationForm.objects.filter(active=True)}
        last = services.evaluation_round_create(
            actor=actor,
            name=f"{today.year - 1} 年度双评价",
            period=str(today.year - 1),
            area=street,
            forms=forms,
            anonymity=c.Anonymity.HIDDEN_FROM_RATED,
        )
        services.evaluation_round_open(actor=actor, round=last)
        for a in EvaluationAssignment.objects.filter(round=last).select_related("round"):
            if rng.random() < 0.9:
                _submit(a, rng, rng.uniform(6.5, 9.8))
        services.evaluation_round_close(actor=actor, round=last)
        this = services.evaluation_round_create(
            actor=actor,
            name=f"{today.year} 年度双评价",
            period=str(today.year),
            area=street,
            forms=forms,
            closes_on=today + dt.timedelta(days=20),
        )
        services.evaluation_round_open(actor=actor, round=this)
        for a in EvaluationAssignment.objects.filter(round=this).select_related("round"):
            if rng.random() < 0.4:
                _submit(a, rng, rng.uniform(7, 9.5))
        counts["rounds"] = 2
    return counts
