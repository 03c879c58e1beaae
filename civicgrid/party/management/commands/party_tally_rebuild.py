from django.core.management.base import BaseCommand

from civicgrid.party.points import tally_rebuild


class Command(BaseCommand):
    help = "Rebuild the points tallies (rankings) from the ledger, e.g. after a bulk load."

    def handle(self, **options):
        self.stdout.write(f"Points tallies rebuilt: {tally_rebuild()} rows.")
