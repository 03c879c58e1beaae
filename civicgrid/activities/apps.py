from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "civicgrid.activities"
    verbose_name = _("志愿活动")
    default_auto_field = "django.db.models.BigAutoField"
