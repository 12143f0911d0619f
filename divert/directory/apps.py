from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "divert.directory"
    label = "directory"
    verbose_name = "Directory of services"
