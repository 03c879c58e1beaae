"""The demo command fills the first street, is idempotent with --if-empty, and its data pass
through the same rules (stars, warnings, a closed evaluation round with points)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from civicgrid.partylife.models import EvaluationRound, Meeting, OrgWarning, StarRating

pytestmark = pytest.mark.django_db


def test_demo_partylife(world, capsys):
    call_command("demo_partylife", "--if-empty", "--months", "3")
    assert Meeting.objects.exists() and StarRating.objects.exists()
    assert EvaluationRound.objects.filter(status="closed").count() == 1
    assert EvaluationRound.objects.filter(status="open").count() == 1
    assert OrgWarning.objects.exists()
    n = Meeting.objects.count()
    call_command("demo_partylife", "--if-empty")
    assert Meeting.objects.count() == n
    assert "nothing to do" in capsys.readouterr().out


def test_scan_command(world, capsys):
    call_command("partylife_scan", "--stars")
    out = capsys.readouterr().out
    assert "warnings raised" in out and "star ratings 3" in out  # branch A1, community A and B
    assert OrgWarning.objects.filter(organization=world.reg.org_b).exists()
