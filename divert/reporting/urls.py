from django.urls import path

from divert.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpis.csv", views.kpis_csv, name="kpis_csv"),
    path("return/", views.monthly_return, name="monthly_return"),
    path("return/<str:month>.csv", views.monthly_return_csv, name="monthly_return_csv"),
    path("return/<str:month>.xlsx", views.monthly_return_xlsx, name="monthly_return_xlsx"),
]
