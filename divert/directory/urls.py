from django.urls import path

from divert.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("services/new/", views.add_service, name="add_service"),
    path("services/<int:service_id>/", views.service_detail, name="service_detail"),
    path("services/<int:service_id>/edit/", views.edit_service, name="edit_service"),
    path(
        "services/<int:service_id>/deactivate/",
        views.deactivate_service,
        name="deactivate_service",
    ),
    path(
        "services/<int:service_id>/reactivate/",
        views.reactivate_service,
        name="reactivate_service",
    ),
    path("organisations/new/", views.add_organisation, name="add_organisation"),
    path(
        "organisations/<int:organisation_id>/edit/",
        views.edit_organisation,
        name="edit_organisation",
    ),
    path("import/", views.import_csv, name="import_csv"),
]
