from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "civicgrid.patrols"
    verbose_name = _("巡查走访")
    default_auto_field = "django.db.models.BigAutoField"
