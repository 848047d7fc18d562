from django.contrib import admin
from django.urls import include, path

from hami.api import api
from hami.licensing.api import verification_view
from hami.outreach.views.public import certificate_verify

urlpatterns = [
    # Public verification first and outside Ninja: the busiest request (see the view's docstring).
    path("api/v1/verify/<str:tracking_code>", verification_view, name="api_verify"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("hami.core.urls")),
    path("", include("hami.dashboard.urls")),
    path("units/", include("hami.registry.urls")),
    path("standards/", include("hami.standards.urls")),
    path("verify/certificate/<str:code>/", certificate_verify, name="certificate_verify"),
    path("verify/", include("hami.licensing.urls_public")),
    path("licensing/", include("hami.licensing.urls")),
    path("labs/", include("hami.labs.urls")),
    path("outreach/", include("hami.outreach.urls")),
    path("supervision/", include("hami.supervision.urls")),
]

handler404 = "hami.core.views.page_not_found"
