from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "divert.core"
    label = "core"
    verbose_name = "Core"
