from django.urls import path

from divert.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.ig_home, name="ig_home"),
    path("people/<int:person_id>/", views.person_access, name="person_access"),
    path("people/<int:person_id>/access.csv", views.person_access_csv, name="person_access_csv"),
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("access-reviews/<int:grant_id>/", views.review_grant, name="review_grant"),
]
