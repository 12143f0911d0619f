from django.urls import path

from divert.sharing import downloads, views

app_name = "sharing"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:disclosure_id>/", views.disclosure_detail, name="disclosure_detail"),
    path("<int:disclosure_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:disclosure_id>/pdf/", downloads.partner_document_pdf, name="partner_document_pdf"),
    path(
        "episodes/<int:episode_id>/documents/<int:document_id>/pdf/",
        downloads.document_pdf,
        name="document_pdf",
    ),
]
