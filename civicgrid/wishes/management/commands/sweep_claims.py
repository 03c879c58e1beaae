import time

from django.core.management.base import BaseCommand

from civicgrid.wishes.tasks import sweep, sweep_claims_task


class Command(BaseCommand):
    help = "Release claims of wishes not completed by their deadline (once, or every N seconds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=int, default=0, help="repeat every N seconds (enqueues for the worker)"
        )

    def handle(self, *args, loop: int, **options):
        if not loop:
            self.stdout.write(str(sweep()))
            return
        while True:
            sweep_claims_task.enqueue()
            time.sleep(loop)
