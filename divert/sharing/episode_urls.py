"""Consent and sharing pages, under an episode: ``episodes/<episode_id>/sharing/...``."""

from django.urls import path

from divert.sharing import episode_views as views

app_name = "episode_sharing"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("consent/", views.record_consent, name="record_consent"),
    path("documents/new/", views.draft_document, name="draft_document"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/change/", views.revise_document, name="revise_document"),
    path("documents/<int:document_id>/submit/", views.submit_document, name="submit_document"),
    path("documents/<int:document_id>/approve/", views.approve_document, name="approve_document"),
    path("documents/<int:document_id>/return/", views.return_document, name="return_document"),
    path("documents/<int:document_id>/share/", views.share_document, name="share_document"),
    path(
        "disclosures/<int:disclosure_id>/decision/",
        views.record_decision,
        name="record_decision",
    ),
]
