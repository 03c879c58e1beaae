from django.core.management.base import BaseCommand

from civicgrid.geo.models import Grid
from civicgrid.patrols.demo import seed
from civicgrid.patrols.models import PatrolDuty


class Command(BaseCommand):
    help = "Patrol duties, a week of patrols, missed flags, contact points and gig workers (after `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when patrol duties exist"
        )

    def handle(self, seed_value=None, if_empty=False, **options):
        if not Grid.objects.exists():
            self.stderr.write("No grids yet: run `manage.py demo` first.")
            return
        if if_empty and PatrolDuty.objects.exists():
            self.stdout.write("Patrol demo data exists.")
            return
        counts = seed(seed=options["seed"])
        self.stdout.write(f"Patrols demo: {counts}")
