import time

from django.core.management.base import BaseCommand

from civicgrid.webhooks.delivery import sweep
from civicgrid.webhooks.tasks import sweep_task


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (new ones whose task was lost, retries): "
        "once, or every N seconds by enqueueing the sweep for the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, help="repeat every N seconds (enqueues for the worker)"
        )

    def handle(self, *args, loop: int, **options):
        if not loop:
            self.stdout.write(str(sweep()))
            return
        while True:
            sweep_task.enqueue()
            time.sleep(loop)
