"""Routes of the API under /api/: one router for the records (reads, and the writes of
`writes.py`), and the OpenAPI schema. No documentation UI is served: drf-spectacular's
Swagger and Redoc pages load their scripts from a CDN, which the content security policy
and an offline campus forbid."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import inspections, pages, views, writes

app_name = "api"

router = SimpleRouter()
router.register("accounts", writes.AccountWriteViewSet, basename="account")
router.register("groups", views.GroupViewSet, basename="group")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("campaign-tasks", writes.CampaignTaskWriteViewSet, basename="campaign-task")
router.register("filings", writes.FilingViewSet, basename="filing")
router.register("imports", writes.ImportViewSet, basename="import")
router.register("inspections", inspections.InspectionViewSet, basename="inspection")
router.register(
    "inspection-grades", inspections.InspectionGradeViewSet, basename="inspection-grade"
)
router.register("inspection-forms", inspections.InspectionFormViewSet, basename="inspection-form")
router.register("inspection-parts", inspections.InspectionPartViewSet, basename="inspection-part")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # pages (HTML): the user's own tokens; the school admin's service accounts
    path("tokens/", pages.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("service-accounts/", pages.service_account_list, name="service_account_list"),
    path("service-accounts/<int:pk>/", pages.service_account_detail, name="service_account_detail"),
    *router.urls,
]
