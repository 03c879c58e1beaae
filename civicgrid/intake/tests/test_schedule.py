"""The scheduled retrain is due only when the newest trained version is old enough (or there
is none), so that restarting the scheduler does not train a new version each time."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.intake import services
from civicgrid.intake.models import ClassifierKind, ClassifierVersion
from civicgrid.intake.tasks import retrain_due

pytestmark = pytest.mark.django_db


def test_due_with_no_trained_version_and_again_once_it_is_old(tiny):
    assert retrain_due(24)
    services.classifier_retrain(actor=None, kind=ClassifierKind.KEYWORDS)
    assert retrain_due(24)  # a cold-start version is not a trained one
    row = services.classifier_retrain(actor=None)
    assert not retrain_due(24)
    ClassifierVersion.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert retrain_due(24) and not retrain_due(26)
