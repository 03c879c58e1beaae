"""Replay (command, admin action, staff page), the delivery log pages, and subscription rules."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.core.errors import PermissionDenied, ValidationFailed
from civicgrid.core.models import AuditLog
from civicgrid.orgs.choices import Role
from civicgrid.testing.factories import make_user
from civicgrid.webhooks import services
from civicgrid.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _create(loop, lon=114.005):
    return case_services.case_create(
        actor=loop.worker_a1, item=loop.item_community, text="楼道堆物", lon=lon, lat=23.005
    )


@pytest.fixture
def admin_user(settings):
    settings.CIVICGRID_2FA_ENFORCED = False
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


def test_replay_command_by_delivery_sends_the_same_body_as_a_new_delivery(
    partners, receiver, django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        _create(partners)
    first = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhook_replay", delivery=first.pk)
    copy = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert copy.replay_of == first and copy.status == "succeeded"
    assert f"replayed=1 ids={copy.pk}" in capsys.readouterr().out
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert receiver.requests[1]["headers"]["x-civicgrid-delivery"] == str(copy.pk)
    assert AuditLog.objects.filter(action="webhook_replay").count() == 1
    with pytest.raises(CommandError, match="No delivery"):
        call_command("webhook_replay", delivery=999999)


def test_replay_command_by_subscription_since(
    partners, receiver, django_capture_on_commit_callbacks
):
    old, new = _create(partners), _create(partners)
    WebhookDelivery.objects.filter(case=old).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhook_replay", subscription=partners.sub_a.pk, since=since)
    replays = WebhookDelivery.objects.filter(replay_of__isnull=False)
    assert [r.case_id for r in replays] == [new.pk]
    # Both originals still wait for the worker; only the replay was sent.
    assert len(receiver.requests) == 1
    with pytest.raises(CommandError, match="needs --since"):
        call_command("webhook_replay", subscription=partners.sub_a.pk)


def test_replay_respects_the_partners_current_scope(partners):
    _create(partners)
    first = WebhookDelivery.objects.get()
    from civicgrid.orgs.models import RoleAssignment

    RoleAssignment.objects.filter(user=partners.partner_a.user).update(area=partners.community_b)
    copies = services.deliveries_replay(
        actor=None, deliveries=WebhookDelivery.objects.filter(pk=first.pk)
    )
    assert copies == [] and WebhookDelivery.objects.count() == 1


def test_staff_pages_for_system_administrators(
    client, partners, admin_user, receiver, django_capture_on_commit_callbacks
):
    receiver.codes = [500]
    with django_capture_on_commit_callbacks(execute=True):
        case = _create(partners)
    row = WebhookDelivery.objects.get()
    client.force_login(admin_user)
    page = client.get("/webhooks/deliveries/")
    assert page.status_code == 200 and list(page.context["page"]) == [row]
    assert (
        client.get("/webhooks/deliveries/", {"status": "succeeded"}).context["page"].paginator.count
        == 0
    )
    filtered = client.get("/webhooks/deliveries/", {"status": "failed", "case_number": case.number})
    assert list(filtered.context["page"]) == [row]
    detail = client.get(f"/webhooks/deliveries/{row.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200 and case.number in html and "received 500" in html
    assert "case.created" in html

    receiver.codes = [200]
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/webhooks/deliveries/{row.pk}/replay/")
    copy = WebhookDelivery.objects.get(replay_of=row)
    assert resp.status_code == 302 and resp["Location"] == f"/webhooks/deliveries/{copy.pk}/"
    assert copy.status == "succeeded"
    assert client.get(f"/webhooks/deliveries/{999999}/").status_code == 404


@pytest.mark.parametrize("username", ["staff_a", "street"])
def test_staff_pages_are_for_system_administrators_only(client, partners, username):
    from django.contrib.auth import get_user_model

    _create(partners)
    row = WebhookDelivery.objects.get()
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get("/webhooks/deliveries/").status_code == 403
    assert client.get(f"/webhooks/deliveries/{row.pk}/").status_code == 403
    assert client.post(f"/webhooks/deliveries/{row.pk}/replay/").status_code == 403
    assert WebhookDelivery.objects.count() == 1


def test_admin_replay_action_and_log(
    client, partners, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_2FA_ENFORCED = False
    _create(partners)
    row = WebhookDelivery.objects.get()
    root = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/webhooks/webhookdelivery/").status_code == 200
    assert client.get(f"/admin/webhooks/webhookdelivery/{row.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/admin/webhooks/webhookdelivery/",
            {"action": "replay", "_selected_action": [row.pk]},
        )
    assert resp.status_code == 302
    assert WebhookDelivery.objects.get(replay_of=row).status == "succeeded"


def test_admin_adds_a_subscription_and_shows_the_secret_once(client, partners, receiver, settings):
    settings.CIVICGRID_2FA_ENFORCED = False
    root = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    resp = client.post(
        "/admin/webhooks/webhooksubscription/add/",
        {"partner": partners.partner_b.pk, "url": receiver.url, "events": ["case.closed"]},
        follow=True,
    )
    assert resp.status_code == 200
    sub = partners.partner_b.webhook_subscriptions.get(events=["case.closed"])
    shown = [str(m) for m in resp.context["messages"]]
    assert any(sub.secret in m for m in shown) and sub.secret.startswith("whsec_")
    page = client.get(f"/admin/webhooks/webhooksubscription/{sub.pk}/change/").content.decode()
    assert sub.secret not in page
    bad = client.post(
        "/admin/webhooks/webhooksubscription/add/",
        {
            "partner": partners.partner_b.pk,
            "url": "http://example.com/x",
            "events": ["case.closed"],
        },
    )
    assert bad.status_code == 200 and "https://" in bad.content.decode()


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://example.com/hook", ["case.created"], "url"),
        ("ftp://127.0.0.1/hook", ["case.created"], "url"),
        ("", ["case.created"], "url"),
        ("https://example.com/hook", [], "events"),
        ("https://example.com/hook", ["case.created", "case.nope"], "events"),
    ],
)
def test_bad_subscriptions_are_refused(partners, url, events, field):
    before = partners.partner_a.webhook_subscriptions.count()
    with pytest.raises(ValidationFailed) as exc:
        services.subscription_create(actor=None, partner=partners.partner_a, url=url, events=events)
    assert field in exc.value.details
    assert partners.partner_a.webhook_subscriptions.count() == before


def test_plain_http_to_this_machine_only_when_allowed(partners, settings):
    settings.CIVICGRID_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationFailed, match="https://"):
        services.subscription_create(
            actor=None,
            partner=partners.partner_a,
            url="http://127.0.0.1:8000/x",
            events=["case.created"],
        )


def test_who_may_manage_subscriptions(partners):
    with pytest.raises(PermissionDenied):
        services.subscription_create(
            actor=partners.staff_a,
            partner=partners.partner_a,
            url="https://example.com/x",
            events=["case.created"],
        )
    # The partner's own service account may manage its own, not another's.
    own, secret = services.subscription_create(
        actor=partners.partner_a.user,
        partner=partners.partner_a,
        url="https://example.com/x",
        events=["case.created"],
    )
    assert own.secret == secret and AuditLog.objects.filter(action="webhook_create").exists()
    with pytest.raises(PermissionDenied):
        services.subscription_update(
            actor=partners.partner_a.user, subscription=partners.sub_b, active=False
        )
    rotated, new_secret = services.subscription_rotate_secret(actor=None, subscription=own)
    assert new_secret != secret and rotated.secret == new_secret
