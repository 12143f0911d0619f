from django.urls import include, path

urlpatterns = [
    path("", include("divert.core.urls")),
    path("accounts/", include("divert.accounts.urls")),
    path("people/", include("divert.people.urls")),
    path("episodes/", include("divert.cases.urls")),
    path("episodes/<int:episode_id>/screening/", include("divert.screening.urls")),
    path("audit/", include("divert.audit.urls")),
    path("shared/", include("divert.sharing.urls")),
    path("people/duplicates/", include("divert.linkage.urls")),
]
# Directory of services and onward referrals (#6).
urlpatterns += [
    path("directory/", include("divert.directory.urls")),
    path("episodes/<int:episode_id>/referrals/", include("divert.referrals.urls")),
    path("reports/", include("divert.reporting.urls")),
    path("episodes/<int:episode_id>/sharing/", include("divert.sharing.episode_urls")),
]
