from django.urls import path

from divert.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    # Intake: find or add the person, then the referral (no identifying data in any address).
    path("new/", views.intake_search, name="intake_search"),
    path("new/person/", views.intake_person, name="intake_person"),
    path("new/referral/", views.intake_referral, name="intake_referral"),
    path("<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("<int:episode_id>/allocate/", views.allocate, name="allocate"),
    path("<int:episode_id>/offer/", views.record_offer, name="record_offer"),
    path(
        "<int:episode_id>/offers/<int:offer_id>/correct/",
        views.correct_offer,
        name="correct_offer",
    ),
    path("<int:episode_id>/needs/", views.record_needs, name="record_needs"),
    path("<int:episode_id>/assessment/", views.record_assessment, name="record_assessment"),
    path(
        "<int:episode_id>/assessments/<int:assessment_id>/edit/",
        views.edit_assessment,
        name="edit_assessment",
    ),
    path("<int:episode_id>/contact/", views.record_contact, name="record_contact"),
    path("<int:episode_id>/tasks/new/", views.add_task, name="add_task"),
    path(
        "<int:episode_id>/tasks/<int:task_id>/complete/",
        views.complete_task,
        name="complete_task",
    ),
    path(
        "<int:episode_id>/police-outcome/",
        views.record_police_outcome,
        name="record_police_outcome",
    ),
    path(
        "<int:episode_id>/court-hearing/",
        views.record_court_hearing,
        name="record_court_hearing",
    ),
    path("<int:episode_id>/close/", views.close_episode, name="close_episode"),
    path("<int:episode_id>/reopen/", views.reopen_episode, name="reopen_episode"),
]
