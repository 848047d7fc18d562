from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic demo province; sits above every domain app and is imported by none."""

    name = "hami.demo"
    label = "demo"
    verbose_name = _("Demo data")
