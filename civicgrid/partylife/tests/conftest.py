"""Fixtures: the web tests' registry plus more units in community A, an organisation
department user and users for units, and an evaluation round helper."""

from __future__ import annotations

import pytest

from civicgrid.web.tests.conftest import Registry


class World:
    def __init__(self, tiny):
        from civicgrid.orgs import services as org_services
        from civicgrid.orgs.choices import Role, UnitKind
        from civicgrid.partylife.defaults import load_default_forms
        from civicgrid.testing.factories import make_user

        load_default_forms()
        self.tiny = tiny
        self.reg = Registry(tiny)
        self.unit_a = self.reg.unit_a
        self.unit_b = self.reg.unit_b
        self.unit_a2 = org_services.unit_create(
            actor=None, name="东门医院", kind=UnitKind.HOSPITAL, area=tiny.community_a
        )
        self.unit_a3 = org_services.unit_create(
            actor=None, name="东门供销社", kind=UnitKind.SOE, area=tiny.community_a
        )
        self.orgdept = make_user(Role.ORG_DEPARTMENT, area=tiny.county, username="orgdept")
        self.unit_user_a = make_user(Role.UNIT_CONTACT, unit=self.unit_a, username="school_a")
        self.unit_user_a2 = make_user(
            Role.DEPARTMENT_HANDLER, unit=self.unit_a2, username="hospital_a"
        )
        self.unit_user_a3 = make_user(Role.DEPARTMENT_HANDLER, unit=self.unit_a3, username="soe_a")
        self.unit_user_b = make_user(Role.UNIT_CONTACT, unit=self.unit_b, username="property_b")

    def round(self, *, anonymity="hidden_from_rated", open=True, area=None, period="2026", **kw):
        from civicgrid.partylife import services
        from civicgrid.partylife.models import EvaluationForm

        forms = {f.direction: f for f in EvaluationForm.objects.all()}
        r = services.evaluation_round_create(
            actor=self.orgdept,
            name=f"{period} 年度双评价",
            period=period,
            area=area or self.tiny.street,
            anonymity=anonymity,
            forms=forms,
            **kw,
        )
        if open:
            services.evaluation_round_open(actor=self.orgdept, round=r)
            r.refresh_from_db()
        return r


@pytest.fixture
def world(tiny):
    return World(tiny)


def full_marks(assignment, fraction=1):
    """Scores for every criterion of the assignment's form at ``fraction`` of the maximum."""
    form = assignment.round.form_for(assignment.direction)
    return {cr.pk: (cr.max_score * fraction, "") for cr in form.criteria.all()}
