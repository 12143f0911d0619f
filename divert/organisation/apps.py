from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "divert.organisation"
    label = "organisation"
    verbose_name = "Service structure"
