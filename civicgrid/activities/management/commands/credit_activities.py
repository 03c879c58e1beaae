import time

from django.core.management.base import BaseCommand

from civicgrid.activities.services import credit_ended


class Command(BaseCommand):
    help = "Credit hours and points of every ended activity (idempotent); --loop N repeats every N seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0)

    def handle(self, loop: int, **options):
        while True:
            n = credit_ended(actor=None)
            self.stdout.write(f"Credited {n} sign-ups.")
            if not loop:
                return
            time.sleep(loop)
