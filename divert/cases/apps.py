from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "divert.cases"
    label = "cases"
    verbose_name = "Episodes"
