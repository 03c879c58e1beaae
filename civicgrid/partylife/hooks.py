"""Hours earned in other apps, credited to party members' education and training.

- Staff-test hook (settings.CIVICGRID_TEST_PASSED_HOOKS, called by
  ``civicgrid.surveys.services.training.attempt_submit`` when a staff knowledge test is passed,
  in the hand-in's transaction): the paper's training hours become a training record of the
  member whose login sat the test (docs/partylife.md, "Education and training").

The caller passes plain values, so this app imports nothing of the surveys app.
"""

from __future__ import annotations

import datetime as dt

from . import services


def staff_test_passed(
    *, actor, user, source: str, title: str, taken_on: dt.date, hours, score: int | None = None
) -> bool:
    """Credit a passed test once per member and test (``source``). True if credited now."""
    _record, created = services.training_credit(
        actor=actor, user=user, source=source, taken_on=taken_on, title=title, hours=hours
    )
    return created
