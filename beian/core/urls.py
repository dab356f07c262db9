from django.urls import path

from .audit_views import AuditListView

app_name = "core"
urlpatterns = [
    path("", AuditListView.as_view(), name="audit_list"),
]
