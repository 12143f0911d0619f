from django.urls import path

from divert.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz/", views.healthz, name="healthz"),
]
