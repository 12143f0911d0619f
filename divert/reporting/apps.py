from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "divert.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from divert.reporting import facts

        facts.connect()
