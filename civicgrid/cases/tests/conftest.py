import pytest

from civicgrid.cases.choices import HandlingMode, ResolveKind, Tier
from civicgrid.cases.models import Department, MatterGroup, MatterItem
from civicgrid.orgs.choices import Role, UnitKind
from civicgrid.orgs.models import Unit
from civicgrid.testing.factories import make_user


@pytest.fixture
def loop(tiny):
    """The tiny county plus a small catalogue, a department with a handler, and a resident user."""
    group = MatterGroup.objects.create(code="TZ", name="测试分类", domain="enforcement")
    tiny.item_community = MatterItem.objects.create(
        code="TZ01-01",
        name="楼道堆物",
        group=group,
        domain="enforcement",
        level=Tier.COMMUNITY,
        mode=HandlingMode.COMMUNITY_DIRECT,
        accept_hours=2,
        resolve_kind=ResolveKind.WORKING_DAYS,
        resolve_days=3,
    )
    tiny.item_department = MatterItem.objects.create(
        code="TZ02-01",
        name="占道经营",
        group=group,
        domain="enforcement",
        level=Tier.DISTRICT,
        mode=HandlingMode.DEPARTMENT_LEAD,
        lead_department="urban_management",
        accept_hours=2,
        resolve_kind=ResolveKind.WORKING_DAYS,
        resolve_days=5,
    )
    tiny.item_urgent = MatterItem.objects.create(
        code="TA01-01",
        name="燃气泄漏",
        group=group,
        domain="work_safety",
        level=Tier.DISTRICT,
        mode=HandlingMode.DEPARTMENT_LEAD,
        lead_department="gas",
        accept_hours=1,
        resolve_kind=ResolveKind.SAME_DAY,
        urgent_hours=2,
    )
    unit = Unit.objects.create(
        name="县城市管理和综合执法局", kind=UnitKind.DEPARTMENT, area=tiny.county
    )
    Department.objects.create(unit=unit, department_type="urban_management", county=tiny.county)
    tiny.dept_unit = unit
    tiny.dept_handler = make_user(Role.DEPARTMENT_HANDLER, unit=unit, username="chengguan")
    tiny.resident_user = make_user(username="resident1")
    return tiny
