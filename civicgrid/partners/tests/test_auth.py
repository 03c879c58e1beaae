import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.partners import services
from civicgrid.partners.auth import (
    KeyAuthenticationFailed,
    KeyExpired,
    KeyMissing,
    KeyRevoked,
    KeyScopeMissing,
    PartnerSuspended,
    authenticate_key,
)
from civicgrid.partners.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(partner):
    return services.key_issue(actor=None, partner=partner, scopes=["open311", "api:read"])


def test_a_good_key_authenticates_and_loads_its_partner(issued, partner):
    key, raw = issued
    found = authenticate_key(raw, scope="open311")
    assert found.pk == key.pk and found.partner == partner
    assert found.partner.user == partner.user
    assert authenticate_key(f"  {raw} ", scope=None).pk == key.pk


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "cg_zzzzzzzz_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: raw.replace("cg_", "xx_", 1),
        lambda raw: raw.split("_", 2)[2],
        lambda raw: "cg_ABCDEFGH_secret",
    ],
)
def test_unknown_or_malformed_keys_are_refused(issued, mangle):
    _key, raw = issued
    with pytest.raises(KeyAuthenticationFailed) as e:
        authenticate_key(mangle(raw), scope="open311")
    assert type(e.value) is KeyAuthenticationFailed
    assert e.value.status == 401 and e.value.code == "key_invalid"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_missing_key_has_its_own_error(raw):
    with pytest.raises(KeyMissing) as e:
        authenticate_key(raw, scope="open311")
    assert e.value.status == 401 and str(e.value.message) == "缺少 API 密钥。"


def test_revoked_expired_and_suspended_have_distinct_errors(issued, partner):
    key, raw = issued
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(KeyExpired) as expired:
        authenticate_key(raw, scope="open311")
    services.key_revoke(actor=None, key=key)
    with pytest.raises(KeyRevoked) as revoked:
        authenticate_key(raw, scope="open311")
    _key2, raw2 = services.key_issue(actor=None, partner=partner, scopes=["open311"])
    services.partner_set_active(actor=None, partner=partner, active=False)
    with pytest.raises(PartnerSuspended) as suspended:
        authenticate_key(raw2, scope="open311")
    messages = {str(x.value.message) for x in (expired, revoked, suspended)}
    assert len(messages) == 3
    assert (expired.value.status, revoked.value.status, suspended.value.status) == (401, 401, 403)


def test_a_key_without_the_scope_is_forbidden(issued):
    _key, raw = issued
    with pytest.raises(KeyScopeMissing) as e:
        authenticate_key(raw, scope="webhooks")
    assert e.value.status == 403 and "webhooks" in str(e.value.message)


def test_last_used_is_written_at_most_once_a_minute(issued, django_assert_num_queries):
    key, raw = issued
    assert key.last_used_at is None
    authenticate_key(raw, scope="open311")
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the look-up only, no UPDATE
        authenticate_key(raw, scope="open311")
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    earlier = first - dt.timedelta(minutes=2)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=earlier)
    authenticate_key(raw, scope="open311")
    assert ApiKey.objects.get(pk=key.pk).last_used_at > earlier
