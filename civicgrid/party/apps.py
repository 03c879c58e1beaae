from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "civicgrid.party"
    label = "party"
    verbose_name = _("党员参与")
    default_auto_field = "django.db.models.BigAutoField"
