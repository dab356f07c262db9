"""Routes of the read-only API under /api/: one router for the records, and the OpenAPI
schema. No documentation UI is served: drf-spectacular's Swagger and Redoc pages load their
scripts from a CDN, which the content security policy and an offline campus forbid."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("groups", views.GroupViewSet, basename="group")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("campaign-tasks", views.CampaignTaskViewSet, basename="campaign-task")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    *router.urls,
]
