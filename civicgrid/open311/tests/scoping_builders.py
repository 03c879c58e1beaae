"""Scoping builders for the Open311 models (see orgs/tests/test_scoping_all_models.py)."""

from civicgrid.cases.choices import Source
from civicgrid.cases.models import MatterItem
from civicgrid.cases.services import case_create
from civicgrid.open311.models import ServiceRequest
from civicgrid.partners import services as partner_services
from civicgrid.partners.models import Partner


def _service_request(side):
    partner = Partner.objects.filter(name=f"合作方{side.tag}").first()
    if partner is None:
        partner = partner_services.partner_create(
            actor=None, name=f"合作方{side.tag}", area=side.community
        )
    case = case_create(
        actor=partner.user,
        item=MatterItem.objects.filter(active=True).order_by("code").first(),
        text=f"接口上报{side.tag}",
        source=Source.OPEN311,
        grid=side.grid,
    )
    return ServiceRequest.objects.create(case=case, partner=partner, attributes={})


BUILDERS = {"open311.servicerequest": _service_request}
