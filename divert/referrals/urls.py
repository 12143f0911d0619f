"""Onward referral pages, under an episode: ``episodes/<episode_id>/referrals/...``."""

from django.urls import path

from divert.referrals import views

app_name = "referrals"
urlpatterns = [
    path("new/", views.choose_need, name="choose_need"),
    path("new/service/", views.choose_service, name="choose_service"),
    path("<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("<int:referral_id>/status/", views.change_status, name="change_status"),
]
