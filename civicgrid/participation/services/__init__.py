"""Writes of the participation app (keyword-only, with an `actor`, atomic, with ledger rows)."""

from .meetings import (  # noqa: F401
    invitee_add,
    item_add,
    item_commit,
    item_solve,
    meeting_publish,
    meeting_record,
    meeting_schedule,
    meeting_sign_in,
    proposal_record,
)
from .property import (  # noqa: F401
    assessment_publish,
    company_profile_save,
    compound_save,
    inspection_record,
)
from .votes import (  # noqa: F401
    ballot_cast,
    deputies_add,
    milestone_add,
    project_add,
    vote_create,
    vote_open,
    vote_publish,
)
