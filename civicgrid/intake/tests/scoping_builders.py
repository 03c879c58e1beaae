"""Scoping builders for the intake models (see orgs/tests/test_scoping_all_models.py)."""

from civicgrid.intake.models import LabelSource, Suggestion


def _suggestion(side):
    case = side.case()
    return Suggestion.objects.update_or_create(
        case=case, defaults={"item": case.item, "source": LabelSource.DISPATCHER}
    )[0]


BUILDERS = {"intake.suggestion": _suggestion}
