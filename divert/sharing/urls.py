from django.urls import path

from divert.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:disclosure_id>/", views.disclosure_detail, name="disclosure_detail"),
    path("<int:disclosure_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
