"""The demo command fills the county's first street and does nothing the second time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from civicgrid.activities.models import Activity, HoursEntry, Signup, VolunteerTeam
from civicgrid.web.tests.conftest import Registry

pytestmark = pytest.mark.django_db


def test_demo_activities_if_empty(tiny):
    Registry(tiny)
    out = StringIO()
    call_command("demo_activities", "--if-empty", "--months", "2", stdout=out)
    assert "Activities:" in out.getvalue()
    assert VolunteerTeam.objects.count() == 2
    assert HoursEntry.objects.exists() and Signup.objects.exists()
    running = Activity.objects.filter(title__contains="进行中")
    assert running.count() == 2
    before = Activity.objects.count()
    call_command("demo_activities", "--if-empty", stdout=out)
    assert Activity.objects.count() == before
