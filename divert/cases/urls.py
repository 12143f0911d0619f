from django.urls import path

from divert.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("<int:episode_id>/allocate/", views.allocate, name="allocate"),
]
