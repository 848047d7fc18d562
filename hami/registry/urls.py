from django.urls import path

from hami.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("new/", views.unit_new, name="unit_new"),
    path("import/", views.unit_import, name="unit_import"),
    path("<uuid:public_id>/", views.unit_detail, name="unit_detail"),
    path("<uuid:public_id>/edit/", views.unit_edit, name="unit_edit"),
    path("<uuid:public_id>/fast-track/", views.unit_fast_track, name="unit_fast_track"),
]
