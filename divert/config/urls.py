from django.urls import include, path

urlpatterns = [
    path("", include("divert.core.urls")),
    path("accounts/", include("divert.accounts.urls")),
    path("people/", include("divert.people.urls")),
    path("episodes/", include("divert.cases.urls")),
    path("episodes/<int:episode_id>/screening/", include("divert.screening.urls")),
    path("audit/", include("divert.audit.urls")),
    path("shared/", include("divert.sharing.urls")),
    path("episodes/<int:episode_id>/sharing/", include("divert.sharing.episode_urls")),
]
