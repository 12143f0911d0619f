from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "divert.screening"
    label = "screening"
    verbose_name = "Screening"
