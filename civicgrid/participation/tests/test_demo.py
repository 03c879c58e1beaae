"""The demo command fills every part once and is idempotent with --if-empty."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from civicgrid.participation.models import (
    AssessmentPublication,
    Compound,
    Inspection,
    Meeting,
    Project,
    Vote,
)

pytestmark = pytest.mark.django_db


def test_demo_participation(world):
    call_command("demo_participation", "--if-empty")
    assert Compound.objects.count() >= 2
    assert Inspection.objects.filter(company=world.company_a).count() == 3
    assert AssessmentPublication.objects.count() == 2
    assert Meeting.objects.filter(status="published").exists()
    assert Vote.objects.get().status == "published"
    assert Project.objects.filter(chosen=True).count() == 5
    n = Meeting.objects.count()
    call_command("demo_participation", "--if-empty")
    assert Meeting.objects.count() == n
