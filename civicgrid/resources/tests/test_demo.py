"""The demo command fills the directory of the demo county once (idempotent with --if-empty)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from civicgrid.resources.choices import CentreLevel, ResourceKind
from civicgrid.resources.models import Booking, Resource, ServiceCentre, ServiceItem

pytestmark = pytest.mark.django_db


def test_demo_resources_on_the_tiny_county(tiny):
    from civicgrid.orgs import services as org_services

    org_services.unit_create(actor=None, name="东门小学", kind="school", area=tiny.community_a)
    call_command("demo_resources", "--if-empty")
    kinds = set(Resource.objects.values_list("kind", flat=True))
    assert {ResourceKind.ACTIVITY_CENTRE, ResourceKind.MEETING_ROOM} <= kinds
    assert Resource.objects.filter(kind=ResourceKind.ACTIVITY_CENTRE).count() == 2
    assert not Resource.objects.filter(lon__isnull=True).exists()
    levels = set(ServiceCentre.objects.values_list("level", flat=True))
    assert levels == set(CentreLevel.values)
    assert ServiceItem.objects.count() >= 4 * ServiceCentre.objects.count()
    assert Booking.objects.exists()  # staff_a / staff_b book through the services
    n = Resource.objects.count()
    call_command("demo_resources", "--if-empty")
    assert Resource.objects.count() == n
