from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "divert.linkage"
    label = "linkage"
    verbose_name = "Record linkage"
