from django.core.management.base import BaseCommand

from civicgrid.geo.models import Area
from civicgrid.resources.demo import demo_exists, seed_all


class Command(BaseCommand):
    help = (
        "Shared resources, service centres, skills and bookings for the demo county (after `demo`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=6)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when resources exist"
        )

    def handle(self, seed, if_empty, **options):
        county = Area.objects.filter(level=Area.Level.COUNTY).order_by("id").first()
        if county is None:
            self.stderr.write("No county yet: run `manage.py demo` first.")
            return
        if if_empty and demo_exists():
            self.stdout.write("Shared resources exist; nothing to do.")
            return
        summary = seed_all(county=county, seed=seed)
        self.stdout.write(
            "Resources: {r}; service centres: {c}; skills: {s}; bookings: {b}.".format(
                r=", ".join(f"{k} {v}" for k, v in summary["resources"].items()),
                c=summary["centres"],
                s=summary["skills"],
                b=summary["bookings"],
            )
        )
