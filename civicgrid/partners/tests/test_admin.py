import pytest

from civicgrid.orgs.choices import Role
from civicgrid.orgs.models import RoleAssignment
from civicgrid.partners import services
from civicgrid.partners.auth import authenticate_key
from civicgrid.partners.models import ApiKey, Partner
from civicgrid.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tiny, settings):
    settings.CIVICGRID_2FA_ENFORCED = False  # two-factor is tested in core
    boss = make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(boss)
    client.boss = boss
    return client


def test_adding_a_partner_in_the_admin_goes_through_the_service(admin_client, tiny):
    r = admin_client.post(
        "/admin/partners/partner/add/",
        {"name": "网约车平台", "area": tiny.street.pk, "note": ""},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    partner = Partner.objects.get(name="网约车平台")
    assert partner.created_by == admin_client.boss
    assert RoleAssignment.objects.filter(user=partner.user, role=Role.PARTNER).exists()


def test_issuing_a_key_shows_the_raw_key_exactly_once(admin_client, partner):
    r = admin_client.post(
        "/admin/partners/apikey/add/",
        {
            "partner": partner.pk,
            "scopes": ["open311", "api:read"],
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert r.status_code == 200
    key = ApiKey.objects.get()
    body = r.content.decode()
    start = body.index(f"cg_{key.prefix}_")
    raw = body[start:].split("<", 1)[0].split()[0]
    assert body.count(raw) == 1
    assert authenticate_key(raw, scope="api:read").pk == key.pk
    again = admin_client.get(f"/admin/partners/apikey/{key.pk}/change/").content.decode()
    assert raw not in again
    assert raw not in admin_client.get("/admin/partners/apikey/").content.decode()


def test_the_issue_form_refuses_bad_input_and_writes_nothing(admin_client, partner):
    r = admin_client.post("/admin/partners/apikey/add/", {"partner": partner.pk, "scopes": []})
    assert r.status_code == 200 and not ApiKey.objects.exists()
    r = admin_client.post(
        "/admin/partners/apikey/add/",
        {
            "partner": partner.pk,
            "scopes": ["open311"],
            "expires_at_0": "2001-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert r.status_code == 200 and "到期时间须晚于当前时间" in r.content.decode()
    assert not ApiKey.objects.exists()


def test_revoke_action(admin_client, partner):
    key, raw = services.key_issue(actor=None, partner=partner, scopes=["open311"])
    r = admin_client.post(
        "/admin/partners/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    assert r.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_suspend_action(admin_client, partner):
    r = admin_client.post(
        "/admin/partners/partner/",
        {"action": "suspend", "_selected_action": [partner.pk]},
        follow=True,
    )
    assert r.status_code == 200
    partner.refresh_from_db()
    assert not partner.active and not partner.user.is_active
