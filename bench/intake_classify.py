"""Classification benchmark: accuracy on the corpus's held-out split (cold start and trained),
throughput on one core, model size in memory, and retrain time on 100,000 labelled texts.

    DJANGO_SETTINGS_MODULE=config.settings.test python bench/intake_classify.py [--n 100000]

For the retrain timing only, the 100,000 texts are SYNTHESISED by joining two or three random
training-split corpus texts of the same item (labelled with that item). They are never used
for accuracy: accuracy is measured on the hand-written held-out texts alone.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import django  # noqa: E402

django.setup()

from civicgrid.intake.classifier import CatalogueEntry, build_keywords, evaluate, train  # noqa: E402
from civicgrid.intake.text import Example, corpus  # noqa: E402

CATALOGUE = Path(__file__).resolve().parents[1] / "civicgrid" / "cases" / "data" / "catalogue.json"


def machine() -> str:
    """The load the figure was measured under (the machine may be shared) and peak memory."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}, peak RSS {peak:.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    entries = [
        CatalogueEntry(i["code"], i["name"], i["domain"], tuple(i["keywords"]), i["description"])
        for i in data["items"]
    ]
    domains = {e.code: e.domain for e in entries}
    tr, te = corpus("train"), corpus("test")
    print(f"corpus: {len(tr)} training texts, {len(te)} held-out texts, {len(entries)} items")

    kw = build_keywords(entries)
    t, cpu = time.perf_counter(), time.process_time()
    model = train(tr, entries)
    print(
        f"train on the corpus split: {time.perf_counter() - t:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU ({machine()})"
    )
    for name, clf in (("keyword cold start", kw), ("trained", model)):
        r = evaluate(clf, te, domains)
        print(f"\n== {name}: top-1 {r['top1']:.3f}  top-3 {r['top3']:.3f}  (n={r['n']})")
        print(
            f"   confident share {r['confident_share']:.3f}, precision {r['confident_precision']}"
        )
        for dom, d in r["by_domain"].items():
            print(f"   {dom:13s} n={d['n']:3d}  top-1 {d['top1']:.3f}  top-3 {d['top3']:.3f}")
        print("   most confused (true -> predicted, count):")
        for c in r["confused"][:6]:
            print(f"     {c['item']} -> {c['predicted']}  {c['count']}")

    # Throughput, one text at a time and in batches (one core: BLAS threads pinned to 1).
    texts = [e.text for e in te] * 10
    t = time.perf_counter()
    model.predict(texts)
    batch = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    for text in texts[:1000]:
        model.predict([text], explain=True)
    single = 1000 / (time.perf_counter() - t)
    print(
        f"\nthroughput: {batch:,.0f} texts/s in batches, {single:,.0f} texts/s one by one with explanation (target >= 1,000) ({machine()})"
    )

    # Memory: the weights and vocabulary as loaded (tracemalloc of unpickling) and pickled size.
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    tracemalloc.start()
    loaded = pickle.loads(blob)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del loaded
    print(
        f"model: pickled {len(blob) / 1e6:.1f} MB, in memory {current / 1e6:.1f} MB (target <= 300 MB)"
    )

    # Retrain on N synthesised labelled texts (timing only).
    by_item = defaultdict(list)
    for e in tr:
        by_item[e.code].append(e.text)
    rng = random.Random(4)
    codes = sorted(by_item)
    synth = []
    for _ in range(args.n):
        code = rng.choice(codes)
        parts = rng.sample(by_item[code], k=min(len(by_item[code]), rng.choice((1, 2, 3))))
        synth.append(Example(",".join(parts), code))
    t, cpu = time.perf_counter(), time.process_time()
    big = train(synth, entries)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    blob = pickle.dumps(big, protocol=pickle.HIGHEST_PROTOCOL)
    tracemalloc.start()
    loaded = pickle.loads(blob)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del loaded
    print(
        f"retrain on {args.n:,} synthesised labelled texts: {seconds:.1f} s wall, {cpu:.1f} s CPU "
        f"(target <= 120 s); model {current / 1e6:.1f} MB in memory ({machine()})"
    )


if __name__ == "__main__":
    main()
