from django.apps import AppConfig


class NonprodConfig(AppConfig):
    name = "divert.nonprod"
    label = "nonprod"
    verbose_name = "Demo data"
