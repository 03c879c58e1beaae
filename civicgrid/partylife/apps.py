from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartylifeConfig(AppConfig):
    name = "civicgrid.partylife"
    verbose_name = _("智慧党建")
    default_auto_field = "django.db.models.BigAutoField"
