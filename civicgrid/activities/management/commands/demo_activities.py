from django.core.management.base import BaseCommand

from civicgrid.activities import demo


class Command(BaseCommand):
    help = "Demo data for 志愿活动 (volunteers, teams, activities with check-ins and hours) after `demo`."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when activities data exist"
        )

    def handle(self, seed: int, months: int, if_empty: bool, **options):
        if if_empty and demo.has_data():
            self.stdout.write("Activities data exist; nothing to do.")
            return
        counts = demo.seed(seed=seed, months=months)
        if not counts:
            self.stderr.write("No county yet: run `manage.py demo` first.")
            return
        self.stdout.write("Activities: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
