from django.urls import path

from divert.linkage import views

app_name = "duplicates"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("find/", views.run, name="run"),
    path("<int:candidate_id>/", views.compare, name="compare"),
    path("<int:candidate_id>/merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", views.unmerge, name="unmerge"),
]
