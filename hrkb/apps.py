from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HrkbConfig(AppConfig):
    name = "hrkb"
    verbose_name = "HRKB"
    # This module also declares the admin's config below; "hrkb" in INSTALLED_APPS means this one.
    default = True


class HRKBAdminConfig(admin_apps.AdminConfig):
    """Django's admin with HRKB's site: the research views and a researcher's home page."""

    default = False
    default_site = "hrkb.research.site.HRKBAdminSite"
