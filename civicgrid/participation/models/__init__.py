from .meetings import AgendaItem, Meeting, MeetingInvitee, ParticipationEvent, Proposal
from .property import (
    AssessmentPublication,
    AssessmentResult,
    Compound,
    CompoundGrid,
    Criterion,
    Inspection,
    InspectionScore,
    PropertyCompanyProfile,
)
from .votes import Ballot, Deputy, Milestone, Project, Vote

__all__ = [
    "AgendaItem",
    "AssessmentPublication",
    "AssessmentResult",
    "Ballot",
    "Compound",
    "CompoundGrid",
    "Criterion",
    "Deputy",
    "Inspection",
    "InspectionScore",
    "Meeting",
    "MeetingInvitee",
    "Milestone",
    "ParticipationEvent",
    "Project",
    "PropertyCompanyProfile",
    "Proposal",
    "Vote",
]
