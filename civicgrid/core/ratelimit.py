"""A fixed-window request counter in the cache (Redis in production, shared by every app
server; the local-memory cache on one machine)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def allow(key: str, *, limit: int, window: int = 60) -> bool:
    """True while `key` has been seen at most `limit` times in the current window."""
    slot = f"intake-rl:{key}:{int(time.time() // window)}"
    if cache.add(slot, 1, timeout=window + 5):
        return limit >= 1
    try:
        return cache.incr(slot) <= limit
    except ValueError:  # expired between add and incr
        cache.add(slot, 1, timeout=window + 5)
        return True


def allow_public(name: str, key: str) -> bool:
    """One of the CIVICGRID_PUBLIC_LIMITS (requests, seconds) for ``key`` (an address, a phone's
    keyed hash)."""
    limit, window = settings.CIVICGRID_PUBLIC_LIMITS[name]
    return allow(f"{name}:{key}", limit=limit, window=window)
