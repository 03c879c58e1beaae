from django.core.management.base import BaseCommand

from civicgrid.geo.models import Area
from civicgrid.participation.demo_participation import seed as seed_participation
from civicgrid.participation.models import Meeting


class Command(BaseCommand):
    help = (
        "Demo meetings, property companies and assessments, and a livelihood vote (after `demo`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when meetings exist"
        )

    def handle(self, seed, if_empty, **options):
        county = Area.objects.filter(level=Area.Level.COUNTY).order_by("id").first()
        if county is None:
            self.stderr.write("No county yet: run `manage.py demo` first.")
            return
        if if_empty and Meeting.objects.exists():
            self.stdout.write("Participation demo data exist; nothing done.")
            return
        counts = seed_participation(county=county, seed=seed)
        self.stdout.write("Participation demo: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
