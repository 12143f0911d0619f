from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "divert.accounts"
    label = "accounts"
    verbose_name = "Accounts"
