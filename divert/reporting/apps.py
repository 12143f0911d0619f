from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "divert.reporting"
    label = "reporting"
    verbose_name = "Reporting"
