"""Small deterministic helpers shared by the generator's stages."""

from __future__ import annotations

import random

import numpy as np


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split total into integer shares proportional to weights (largest remainder)."""
    n = len(weights)
    if n == 0:
        return []
    base = [minimum] * n
    rest = total - minimum * n
    if rest <= 0:
        return base
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    shares = [int(r) for r in raw]
    left = rest - sum(shares)
    for i in sorted(range(n), key=lambda i: (shares[i] - raw[i], i))[:left]:
        shares[i] += 1
    return [b + s for b, s in zip(base, shares, strict=True)]


def sub_random(seed: int, *key: object) -> random.Random:
    """A generator of its own for one part of the county: stable whatever ran before it."""
    return random.Random(f"{seed}:" + ":".join(str(k) for k in key))


def sub_numpy(seed: int, *key: object) -> np.random.Generator:
    return np.random.default_rng(sub_random(seed, "np", *key).getrandbits(64))
