from django.urls import path

from hami.licensing import views

app_name = "licensing"
urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<uuid:public_id>/", views.application_detail, name="application_detail"),
    path("applications/<uuid:public_id>/act/<slug:action>/", views.application_act, name="application_act"),
    path(
        "applications/<uuid:public_id>/deficiencies/<int:pk>/answer/",
        views.deficiency_answer,
        name="deficiency_answer",
    ),
    path("applications/<uuid:public_id>/documents/", views.application_document, name="application_document"),
    path("documents/<uuid:public_id>/", views.document_download, name="document_download"),
    path("licences/", views.licence_list, name="licence_list"),
    path("licences/export.<slug:fmt>", views.licence_export, name="licence_export"),
    path("licences/<uuid:public_id>/", views.licence_detail, name="licence_detail"),
    path("licences/<uuid:public_id>/sanction/", views.licence_sanction_view, name="licence_sanction"),
    path("licences/<uuid:public_id>/certificate.pdf", views.licence_certificate, name="licence_certificate"),
    path("licences/<uuid:public_id>/renew/", views.licence_renew, name="licence_renew"),
    path("licences/<uuid:public_id>/amend/", views.licence_amend_view, name="licence_amend"),
    path("committee/", views.committee, name="committee"),
    path("committee/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
