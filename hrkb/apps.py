from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def _install_change_log(sender, using, **kwargs):
    # Schema upkeep, not business logic: a migration that rebuilds a table (SQLite drops its
    # triggers) or a type added to the registry must never leave a write unlogged.
    from django.db import connections

    from . import changelog

    changelog.install(connections[using])


class HrkbConfig(AppConfig):
    name = "hrkb"
    verbose_name = "HRKB"
    # This module also declares the admin's config below; "hrkb" in INSTALLED_APPS means this one.
    default = True

    def ready(self):
        post_migrate.connect(_install_change_log, sender=self, dispatch_uid="hrkb.changelog")


class HRKBAdminConfig(admin_apps.AdminConfig):
    """Django's admin with HRKB's site: the research views and a researcher's home page."""

    default = False
    default_site = "hrkb.research.site.HRKBAdminSite"
