from django.core.management.base import BaseCommand

from civicgrid.cases.demo_cases import register_departments, seed_cases
from civicgrid.cases.models import Case
from civicgrid.geo.models import Area


class Command(BaseCommand):
    help = "Register the demo county's departments and create demo cases in every state (after `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--per-community", type=int, default=40)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when cases exist")

    def handle(self, per_community, seed, if_empty, **options):
        county = Area.objects.filter(level=Area.Level.COUNTY).order_by("id").first()
        if county is None:
            self.stderr.write("No county yet: run `manage.py demo` first.")
            return
        departments = register_departments(county)
        if if_empty and Case.objects.exists():
            self.stdout.write(f"Cases exist; departments registered: {departments}.")
            return
        n = seed_cases(county=county, seed=seed, per_community=per_community)
        self.stdout.write(f"Departments registered: {departments}; demo cases: {n}.")
