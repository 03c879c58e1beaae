from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "civicgrid.analytics"
    verbose_name = _("分析研判")
