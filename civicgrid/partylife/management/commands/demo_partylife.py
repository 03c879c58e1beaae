from django.core.management.base import BaseCommand

from civicgrid.partylife.demo import seed
from civicgrid.partylife.models import EvaluationRound, Meeting


class Command(BaseCommand):
    help = "Demo data for 智慧党建 (organisational life, training, dues, stars, warnings, evaluation) after `demo`."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when party-life data exist"
        )

    def handle(self, seed: int, months: int, if_empty: bool, **options):
        if if_empty and (Meeting.objects.exists() or EvaluationRound.objects.exists()):
            self.stdout.write("Party-life data exist; nothing to do.")
            return
        counts = seed_fn(seed=seed, months=months)
        if not counts:
            self.stderr.write("No county yet: run `manage.py demo` first.")
            return
        self.stdout.write("Party life: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


seed_fn = seed
