import json
import sys

from django.core.management.base import BaseCommand

from civicgrid.intake import selectors

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Classify complaint texts: one text per line on standard input, one JSON line per text "
        "on standard output (top three items with code, name and score; the handling mode)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--explain", action="store_true", help="also print the words that drove it"
        )

    def handle(self, *args, explain, **options):
        stdin = self.stdin if hasattr(self, "stdin") else sys.stdin
        batch: list[str] = []
        for raw in stdin:
            batch.append(raw.rstrip("\r\n"))
            if len(batch) >= BATCH:
                self._flush(batch, explain)
                batch = []
        if batch:
            self._flush(batch, explain)

    def _flush(self, texts: list[str], explain: bool) -> None:
        preds, row = selectors.suggest(texts, explain=explain)
        items = selectors.items_by_code(c for p in preds for c, _s in p.items)
        for text, pred in zip(texts, preds, strict=True):
            out = selectors.describe(pred, row, items=items)
            for it in out["items"]:
                it.pop("id", None)
            line = {"text": text[:60], **out}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
