from django.apps import AppConfig


class HrkbConfig(AppConfig):
    name = "hrkb"
    verbose_name = "HRKB"
