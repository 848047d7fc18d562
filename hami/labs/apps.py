from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "hami.labs"
    label = "labs"
    verbose_name = _("Labs")
