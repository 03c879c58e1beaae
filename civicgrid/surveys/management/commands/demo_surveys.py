from django.core.management.base import BaseCommand

from civicgrid.geo.models import Area
from civicgrid.surveys.demo import seed
from civicgrid.surveys.models import Questionnaire


class Command(BaseCommand):
    help = "Demo questionnaires, tests, secretary projects and public-welfare data (after `demo`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when questionnaires exist"
        )

    def handle(self, if_empty, **options):
        if if_empty and Questionnaire.objects.exists():
            self.stdout.write("Survey data exist; nothing to do.")
            return
        street = (
            Area.objects.filter(level=Area.Level.STREET, children__residents__isnull=False)
            .order_by("code")
            .distinct()
            .first()
        )
        if street is None:
            self.stderr.write("No street with residents yet: run `manage.py demo` first.")
            return
        counts = seed(street=street)
        for key, n in counts.items():
            self.stdout.write(f"  {key:<24}{n:>8}")
