"""The demo data: reports (most confirmed), points, and the member and unit logins printed."""

import pytest
from django.core.management import call_command

from civicgrid.party.demo import demo_logins
from civicgrid.party.models import DualReport, PointsEntry
from civicgrid.web.tests.conftest import Registry

pytestmark = pytest.mark.django_db


def test_demo_party_is_idempotent_and_prints_logins(tiny, capsys):
    Registry(tiny)
    call_command("demo_party", "--if-empty")
    reports, entries = DualReport.objects.count(), PointsEntry.objects.count()
    assert reports == 4  # two members and two units
    assert DualReport.objects.filter(status="confirmed").count() == 4
    assert entries > 0
    names = [u for u, _who, _pw in demo_logins()]
    assert names == ["demo_member1", "demo_unit"]
    out = capsys.readouterr().out
    assert "demo_member1" in out and "demo_unit" in out
    call_command("demo_party", "--if-empty")
    assert (DualReport.objects.count(), PointsEntry.objects.count()) == (reports, entries)
