"""`python -m civicgrid open311-key --name NAME [--area CODE] [--scopes open311,api:read]`:
create the partner if it is missing and print a new key (shown only this once)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from civicgrid.core.errors import ApplicationError
from civicgrid.geo.models import Area
from civicgrid.partners import services
from civicgrid.partners.choices import KeyScope
from civicgrid.partners.models import Partner


class Command(BaseCommand):
    help = "Create a partner if missing and issue it a new API key (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="partner name (created if missing)")
        parser.add_argument(
            "--area",
            help="12-digit code of the area the partner may see and report in "
            "(needed for a new partner unless there is exactly one county)",
        )
        parser.add_argument(
            "--scopes",
            default=KeyScope.OPEN311,
            help=f"comma-separated scopes from {', '.join(KeyScope.values)} (default: open311)",
        )
        parser.add_argument("--expires-days", type=int, help="the key expires after N days")

    @transaction.atomic
    def handle(self, *args, **opts):
        name = opts["name"].strip()
        expires = None
        if opts.get("expires_days") is not None:
            if opts["expires_days"] < 1:
                raise CommandError("--expires-days must be at least 1.")
            expires = timezone.now() + dt.timedelta(days=opts["expires_days"])
        partner = Partner.objects.filter(name=name).first()
        try:
            if partner is None:
                partner = services.partner_create(actor=None, name=name, area=self._area(opts))
                self.stderr.write(f"Created partner {partner.name} over {partner.area}.")
            elif opts.get("area") and opts["area"] != partner.area.code:
                raise CommandError(
                    f"Partner {name} already exists over {partner.area.code}; "
                    "its area is not changed here."
                )
            key, raw = services.key_issue(
                actor=None, partner=partner, scopes=opts["scopes"], expires_at=expires
            )
        except ApplicationError as e:
            details = "; ".join(
                f"{field}: {' '.join(str(m) for m in msgs)}"
                for field, msgs in (e.details or {}).items()
            )
            raise CommandError(f"{e.message} {details}".strip())
        self.stderr.write(f"Issued key {key.prefix} with scopes {','.join(key.scopes)}.")
        self.stdout.write(raw)

    def _area(self, opts) -> Area:
        code = opts.get("area")
        if code:
            area = Area.objects.filter(code=code).first()
            if area is None:
                raise CommandError(f"No area with code {code}.")
            return area
        roots = list(Area.objects.filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise CommandError("Give --area CODE: the partner's area cannot be guessed.")
        return roots[0]
