from django.contrib import admin
from django.urls import include, path

from hami.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("hami.core.urls")),
    path("", include("hami.dashboard.urls")),
    path("units/", include("hami.registry.urls")),
    path("standards/", include("hami.standards.urls")),
    path("verify/", include("hami.licensing.urls_public")),
    path("licensing/", include("hami.licensing.urls")),
]

handler404 = "hami.core.views.page_not_found"
