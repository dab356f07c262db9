from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("beian.dashboard.urls")),
    path("", include("beian.identity.urls")),  # before users: its logout/ ends sign-on sessions
    path("", include("beian.users.urls")),
    path("orgs/", include("beian.orgs.urls")),
    path("registry/", include("beian.registry.urls")),
    path("filings/", include("beian.filings.urls")),
    path("notify/", include("beian.notify.urls")),
    path("compliance/", include("beian.compliance.urls")),
    path("transfer/", include("beian.transfer.urls")),
    path("campaigns/", include("beian.campaigns.urls")),
    path("inspections/", include("beian.inspections.urls")),
    path("api/v1/validity/", include("beian.publication.api_urls")),
    path("api/", include("beian.api.urls")),
    path("directory/", include("beian.publication.urls")),
    path("audit/", include("beian.core.urls")),
    path("django-admin/", admin.site.urls),
]

# No route serves MEDIA_ROOT, not even under DEBUG: kept files (attachments, scans, QR codes)
# go out only through views that check the user's permission (beian/core/files.py).

# Our own Chinese error pages in the site layout (beian/core/errors.py).
handler400 = "beian.core.request_limits.bad_request"  # a refused upload is a 413
handler403 = "beian.core.errors.permission_denied"
handler404 = "beian.core.errors.page_not_found"
handler500 = "beian.core.errors.server_error"
