"""`/api/v1/validity/`, included by name from config/urls.py (a string include keeps the
project URLconf free of imports of the apps, which the layers contract checks)."""

from django.urls import path

from .api import ValidityView

urlpatterns = [path("", ValidityView.as_view(), name="validity")]
