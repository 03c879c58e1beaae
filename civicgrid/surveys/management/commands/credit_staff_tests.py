"""Send every passed staff test to the CIVICGRID_TEST_PASSED_HOOKS again (idempotent): credits
tests handed in before the person's party-member record was linked to their login, or before
the hook was installed. Running it twice credits nothing twice."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from civicgrid.surveys.services.training import credit_all_passed


class Command(BaseCommand):
    help = "Credit passed staff tests to party members' training hours (idempotent)."

    def handle(self, *args, **options):
        n = credit_all_passed()
        self.stdout.write(f"{n} passed tests credited now")
