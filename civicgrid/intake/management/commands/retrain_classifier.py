import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.errors import ApplicationError
from civicgrid.intake import services
from civicgrid.intake.models import ClassifierKind
from civicgrid.intake.tasks import retrain_due, retrain_task


class Command(BaseCommand):
    help = (
        "Train a new classifier version on the corpus and every confirmed case, store it with "
        "its metrics and make it active (or, with --every, keep running and enqueue that for the "
        "worker whenever the newest trained version is N hours old, or there is none)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keywords", action="store_true", help="store a keyword cold-start version"
        )
        parser.add_argument(
            "--no-activate", action="store_true", help="store it but keep the active one"
        )
        parser.add_argument("--note", default="", help="a note kept with the version")
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            help="enqueue a retrain every N hours (default CIVICGRID_INTAKE_RETRAIN_HOURS) and keep running",
        )

    def handle(self, *args, keywords, no_activate, note, every, **options):
        if every is not None:
            hours = every or float(getattr(settings, "CIVICGRID_INTAKE_RETRAIN_HOURS", 24))
            if hours <= 0:
                raise CommandError("--every needs a positive number of hours")
            while True:
                if retrain_due(hours):
                    retrain_task.enqueue()
                # Checked hourly: a restart neither retrains early nor pushes the next one back.
                time.sleep(min(hours, 1.0) * 3600)
        try:
            row = services.classifier_retrain(
                actor=None,
                kind=ClassifierKind.KEYWORDS if keywords else ClassifierKind.TRAINED,
                activate=not no_activate,
                note=note,
            )
        except ApplicationError as e:
            raise CommandError(str(e.message))
        corpus = row.metrics.get("corpus", {})
        self.stdout.write(
            json.dumps(
                {
                    "version": row.version,
                    "kind": row.kind,
                    "active": row.active,
                    "trained_on": row.trained_on,
                    "from_cases": row.from_cases,
                    "size_bytes": row.size_bytes,
                    "train_seconds": row.train_seconds,
                    "top1": corpus.get("top1"),
                    "top3": corpus.get("top3"),
                    "cases": {
                        k: row.metrics.get("cases", {}).get(k) for k in ("n", "top1", "top3")
                    },
                },
                ensure_ascii=False,
            )
        )
