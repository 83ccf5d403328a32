from django.apps import AppConfig


class HrkbConfig(AppConfig):
    name = "hrkb"
    verbose_name = "HRKB"

    def ready(self):
        # The partner-key admin lives with the API it serves, outside hrkb/admin.py.
        from .api import admin  # noqa: F401
