from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("", include("beian.dashboard.urls")),
    path("", include("beian.users.urls")),
    path("orgs/", include("beian.orgs.urls")),
    path("registry/", include("beian.registry.urls")),
    path("filings/", include("beian.filings.urls")),
    path("notify/", include("beian.notify.urls")),
    path("compliance/", include("beian.compliance.urls")),
    path("transfer/", include("beian.transfer.urls")),
    path("campaigns/", include("beian.campaigns.urls")),
    path("inspections/", include("beian.inspections.urls")),
    path("inspections/", include("beian.inspections.urls")),
    path("api/", include("beian.api.urls")),
    path("directory/", include("beian.publication.urls")),
    path("audit/", include("beian.core.urls")),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media")
    ]

# Our own Chinese error pages in the site layout (beian/core/errors.py).
handler403 = "beian.core.errors.permission_denied"
handler404 = "beian.core.errors.page_not_found"
handler500 = "beian.core.errors.server_error"
