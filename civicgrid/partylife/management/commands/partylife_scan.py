import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from civicgrid.partylife.services import star_ratings_compute_all, warnings_scan


class Command(BaseCommand):
    help = "Scan every party organisation for early warnings (and, with --stars, recompute this year's stars)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stars", action="store_true", help="also recompute this year's star ratings"
        )
        parser.add_argument("--loop", type=int, default=0, help="repeat every N seconds")

    def handle(self, stars: bool, loop: int, **options):
        while True:
            raised, cleared = warnings_scan(actor=None)
            msg = f"warnings raised {raised}, cleared {cleared}"
            if stars:
                msg += f"; star ratings {star_ratings_compute_all(actor=None, year=timezone.localdate().year)}"
            self.stdout.write(msg)
            if not loop:
                return
            time.sleep(loop)
