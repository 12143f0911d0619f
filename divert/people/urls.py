from django.urls import path

from divert.people import views

app_name = "people"
urlpatterns = [
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/open-with-reason/", views.break_glass, name="break_glass"),
]
