from django.urls import path

from divert.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("password/", views.change_password, name="change_password"),
]
