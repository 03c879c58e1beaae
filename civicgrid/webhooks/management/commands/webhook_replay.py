import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from civicgrid.core.errors import ApplicationError
from civicgrid.webhooks import services
from civicgrid.webhooks.models import WebhookDelivery, WebhookSubscription


def _since(value: str):
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: not a date or date-time: {value!r}")
        parsed = dt.datetime.combine(day, dt.time.min)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = (
        "Send webhook deliveries again (as new deliveries with the same payload): one by "
        "--delivery ID, or a subscription's deliveries since a date."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--delivery", type=int, help="the delivery id")
        which.add_argument("--subscription", type=int, help="the subscription id")
        parser.add_argument("--since", help="with --subscription: YYYY-MM-DD or ISO date-time")
        parser.add_argument(
            "--status", default="", help="with --subscription: only deliveries in this status"
        )

    def handle(self, *, delivery, subscription, since, status, **options):
        try:
            if delivery is not None:
                qs = WebhookDelivery.objects.filter(pk=delivery)
                if not qs.exists():
                    raise CommandError(f"No delivery {delivery}.")
                copies = services.deliveries_replay(actor=None, deliveries=qs)
            else:
                if not since:
                    raise CommandError("--subscription needs --since.")
                sub = WebhookSubscription.objects.filter(pk=subscription).first()
                if sub is None:
                    raise CommandError(f"No subscription {subscription}.")
                copies = services.replay_since(
                    actor=None, subscription=sub, since=_since(since), status=status
                )
        except ApplicationError as e:
            raise CommandError(str(e.message))
        self.stdout.write(f"replayed={len(copies)} ids={','.join(str(c.pk) for c in copies)}")
