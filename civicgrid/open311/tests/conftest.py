import pytest
from django.core.cache import cache

from civicgrid.cases.choices import HandlingMode, ResolveKind, Tier
from civicgrid.cases.models import MatterGroup, MatterItem
from civicgrid.partners import services as partner_services


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def o311(tiny):
    """The tiny county, three matter items in three domains, a partner over community A
    with an Open311 key, and a key of the same partner without the open311 scope."""
    group = MatterGroup.objects.create(code="TZ", name="测试分类", domain="enforcement")
    common = {
        "group": group,
        "level": Tier.COMMUNITY,
        "mode": HandlingMode.COMMUNITY_DIRECT,
        "accept_hours": 2,
        "resolve_kind": ResolveKind.WORKING_DAYS,
        "resolve_days": 3,
    }
    tiny.item = MatterItem.objects.create(
        code="TZ01-01", name="楼道堆物", domain="enforcement", keywords=["堆物", "楼道"], **common
    )
    tiny.item_safety = MatterItem.objects.create(
        code="TZ02-01", name="电动车违规充电", domain="work_safety", **common
    )
    tiny.item_off = MatterItem.objects.create(
        code="TZ03-01", name="已停用事项", domain="livelihood", active=False, **common
    )
    tiny.partner = partner_services.partner_create(
        actor=None, name="市民通 App", area=tiny.community_a
    )
    tiny.key, tiny.raw = partner_services.key_issue(
        actor=None, partner=tiny.partner, scopes=["open311"]
    )
    _k, tiny.raw_api_only = partner_services.key_issue(
        actor=None, partner=tiny.partner, scopes=["api:read"]
    )
    return tiny
