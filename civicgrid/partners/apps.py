from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "civicgrid.partners"
    label = "partners"
    verbose_name = _("外部合作方与接口密钥")
