from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "civicgrid.surveys"
    label = "surveys"
    verbose_name = _("问卷测评")
    default_auto_field = "django.db.models.BigAutoField"
