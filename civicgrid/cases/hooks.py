"""Extension points for apps that build on cases (webhooks, analytics).

The cases app must not import them, so they register themselves by dotted module path in
``settings.CIVICGRID_CASE_HOOKS``. A hook module may define any of:

- ``events_written(events: list[CaseEvent]) -> None`` — called with every ledger row the
  cases app writes (one by one from the services, in bulk from the hotline import);
- ``sla_changed(case_ids: list[int], sla_state: str) -> None`` — called by the deadline sweep
  with the cases it has just turned yellow or red.
- ``case_panels(request, case) -> str`` — HTML (rendered by the app's own template) that the
  case page shows below its actions, e.g. intake's form to change the item; "" for none.

The write hooks run inside the transaction that wrote the change, so an outbox row a hook writes
commits or rolls back with it; a hook must not do network I/O (enqueue work on commit).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from django.conf import settings


@cache
def _modules(paths: tuple[str, ...]) -> tuple:
    return tuple(importlib.import_module(p) for p in paths)


def _hooks(name: str) -> list[Callable]:
    paths = tuple(getattr(settings, "CIVICGRID_CASE_HOOKS", ()))
    return [getattr(m, name) for m in _modules(paths) if hasattr(m, name)]


def events_written(events: list) -> None:
    if events:
        for hook in _hooks("events_written"):
            hook(events)


def sla_changed(case_ids: list[int], sla_state: str) -> None:
    if case_ids:
        for hook in _hooks("sla_changed"):
            hook(case_ids, sla_state)


def case_panels(request, case) -> list[str]:
    """The panels other apps add to the case page, in hook order."""
    return [html for hook in _hooks("case_panels") if (html := hook(request, case))]
