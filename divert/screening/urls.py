"""Screening pages, under an episode: ``episodes/<episode_id>/screening/...``."""

from django.urls import path

from divert.screening import views

app_name = "screening"
urlpatterns = [
    path("", views.choose_instrument, name="choose_instrument"),
    path("<int:administration_id>/", views.answer, name="answer"),
    path("<int:administration_id>/result/", views.result, name="result"),
    path("<int:administration_id>/override/", views.override, name="override"),
    path("<int:administration_id>/need/", views.record_need, name="record_need"),
]
