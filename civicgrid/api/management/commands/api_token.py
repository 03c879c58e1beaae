"""Issue, list or revoke a user's personal API tokens from the command line."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicgrid.api import tokens
from civicgrid.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Issue a personal API token for USERNAME and print it once (default), or --list the "
        "user's tokens, or --revoke ID. Tokens expire after --days (default 90; 0 = never)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label, e.g. the script using it")
        parser.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        parser.add_argument("--list", action="store_true", help="list the user's tokens")
        parser.add_argument("--revoke", type=int, metavar="ID", help="revoke one token")

    def handle(self, *args, username: str, name: str, days: int, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            if options["list"]:
                for t in tokens.token_list(user=user):
                    state = "active" if t.active else ("revoked" if t.revoked_at else "expired")
                    expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
                    used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
                    self.stdout.write(
                        f"{t.pk}\tcgt_{t.prefix}_…\t{state}\texpires {expires}\tused {used}\t{t.name}"
                    )
                return
            if options["revoke"] is not None:
                token = tokens.token_revoke(actor=None, token_id=options["revoke"], user=user)
                self.stdout.write(f"Revoked token {token.pk} (cgt_{token.prefix}_…).")
                return
            issued = tokens.token_issue(
                actor=None, user=user, name=name, days=days if days > 0 else None
            )
        except ApplicationError as e:
            raise CommandError(str(e.message))
        self.stderr.write(
            f"Token {issued.token.pk} for {username}; it is shown only now. "
            "Send it as 'Authorization: Bearer <token>'."
        )
        self.stdout.write(issued.secret)
