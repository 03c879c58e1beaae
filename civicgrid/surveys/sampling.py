"""Reproducible sampling and the margin of error.

Method (documented in docs/surveys.md): every unit of the frame (a resident id, or the keyed
hash of a case reporter's phone) gets the key ``sha256("<seed>:<unit>")`` in hex. A simple
random sample of size n is the n units with the smallest keys ("permanent random numbers":
with a random seed every subset of size n is equally likely). With ``stratify`` the frame is
split by community, n is allocated in proportion to the strata's sizes (largest remainder,
ties to the smaller community id), and each stratum takes its smallest keys. The same seed and
the same frame always give the same sample, in any language that has SHA-256.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class Unit:
    key_source: str  # what is hashed with the seed: the resident id, or the phone index
    stratum: int  # the community id
    resident_id: int | None = None
    phone: str = ""


def unit_key(seed: str, source: str) -> str:
    return hashlib.sha256(f"{seed}:{source}".encode()).hexdigest()


def frame_hash(units: list[Unit]) -> str:
    return hashlib.sha256(",".join(sorted(u.key_source for u in units)).encode()).hexdigest()


def allocate(sizes: dict[int, int], n: int) -> dict[int, int]:
    """Proportional allocation of n over strata (largest remainder; ties: smaller id first)."""
    total = sum(sizes.values())
    if total == 0:
        return {s: 0 for s in sizes}
    n = min(n, total)
    exact = {s: n * size / total for s, size in sizes.items()}
    alloc = {s: min(sizes[s], math.floor(v)) for s, v in exact.items()}
    left = n - sum(alloc.values())
    order = sorted(sizes, key=lambda s: (-(exact[s] - math.floor(exact[s])), s))
    while left > 0:
        progressed = False
        for s in order:
            if left and alloc[s] < sizes[s]:
                alloc[s] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return alloc


def draw(
    units: list[Unit], *, seed: str, size: int, stratify: bool = False
) -> list[tuple[str, Unit]]:
    """The sample as (key, unit) pairs, ordered by key."""
    keyed = sorted(((unit_key(seed, u.key_source), u) for u in units), key=lambda p: p[0])
    if not stratify:
        return keyed[:size]
    by_stratum: dict[int, list[tuple[str, Unit]]] = defaultdict(list)
    for pair in keyed:
        by_stratum[pair[1].stratum].append(pair)
    alloc = allocate({s: len(v) for s, v in by_stratum.items()}, size)
    chosen = [p for s, v in by_stratum.items() for p in v[: alloc[s]]]
    return sorted(chosen, key=lambda p: p[0])


def fpc(n: int, population: int | None) -> float:
    """Finite-population correction sqrt((N - n) / (N - 1)); 1 when N is unknown."""
    if not population or population <= 1 or n >= population:
        return 0.0 if population and n >= population else 1.0
    return math.sqrt((population - n) / (population - 1))


def margin_of_error(p: float, n: int, population: int | None = None) -> float | None:
    """95 % margin of error of a proportion p from n answers out of a frame of N:
    1.96 · sqrt(p(1 − p) / n) · sqrt((N − n) / (N − 1))."""
    if n <= 0:
        return None
    return Z95 * math.sqrt(p * (1 - p) / n) * fpc(n, population)


def margin_of_error_mean(values: list[float], population: int | None = None) -> float | None:
    """95 % margin of error of a mean: 1.96 · s / sqrt(n) · FPC (s: sample standard deviation)."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return Z95 * s / math.sqrt(n) * fpc(n, population)
