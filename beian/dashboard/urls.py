from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:chart>.xlsx", views.dashboard_export, name="dashboard_export"),
]
