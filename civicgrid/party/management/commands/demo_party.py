from django.core.management.base import BaseCommand

from civicgrid.party import demo
from civicgrid.party.models import DualReport
from civicgrid.people.models import PartyMember


class Command(BaseCommand):
    help = "Demo dual reports, points and member logins for the demo county (after `demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--members-per-community", type=int, default=30)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when reports exist")

    def handle(self, seed, members_per_community, if_empty, **options):
        if not PartyMember.objects.exists():
            self.stderr.write("No party members yet: run `manage.py demo` first.")
            return
        if if_empty and DualReport.objects.exists():
            self.stdout.write("Dual reports exist; nothing to do.")
        else:
            counts = demo.seed(seed=seed, members_per_community=members_per_community)
            self.stdout.write(
                f"Dual reports: {counts['reports']} ({counts['confirmed']} confirmed to members); "
                f"points entries: {counts['entries']}."
            )
        rows = demo.demo_logins()
        if rows:
            self.stdout.write("Party logins (DEMO ONLY, shared password):")
            width = max(len(u) for u, _w, _p in rows)
            for username, who, password in rows:
                self.stdout.write(f"  {username.ljust(width)}  {password}  {who}")
