from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "divert.sharing"
    label = "sharing"
    verbose_name = "Consent and disclosures"
