from django.urls import path

from divert.people import views

app_name = "people"
urlpatterns = [
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/open-with-reason/", views.break_glass, name="break_glass"),
    path("<int:person_id>/alerts/new/", views.raise_alert, name="raise_alert"),
    path("<int:person_id>/alerts/<int:alert_id>/end/", views.end_alert, name="end_alert"),
]
