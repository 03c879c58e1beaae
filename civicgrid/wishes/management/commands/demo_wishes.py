from django.core.management.base import BaseCommand

from civicgrid.wishes.demo import seed as seed_demo
from civicgrid.wishes.models import Wish


class Command(BaseCommand):
    help = "Demo data for 微心愿/双领办/共建协议/帮扶对子 (after `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--communities", type=int, default=6)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when wishes exist")

    def handle(self, seed: int, communities: int, if_empty: bool, **options):
        if if_empty and Wish.objects.exists():
            self.stdout.write("Wishes exist; nothing to do.")
            return
        counts = seed_demo(seed=seed, communities=communities)
        if not counts["wishes"]:
            self.stderr.write("No community with a staff login yet: run `manage.py demo` first.")
            return
        self.stdout.write("Wishes: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
