from django.urls import path

from hami.labs import views, views_testing

app_name = "labs"
urlpatterns = [
    path("", views.lab_list, name="lab_list"),
    path("new/", views.lab_new, name="lab_new"),
    path("directory/", views.directory, name="directory"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<uuid:public_id>/", views.company_detail, name="company_detail"),
    path("capacity/", views_testing.capacity, name="capacity"),
    path("capacity/export.<slug:fmt>", views_testing.capacity_export, name="capacity_export"),
    path("samples/", views_testing.sample_list, name="sample_list"),
    path("samples/new/", views_testing.sample_new, name="sample_new"),
    path("samples/<uuid:public_id>/", views_testing.sample_detail, name="sample_detail"),
    path("samples/<uuid:public_id>/act/<slug:action>/", views_testing.sample_act, name="sample_act"),
    path("samples/<uuid:public_id>/photos/<int:pk>/", views_testing.sample_photo, name="sample_photo"),
    path("assign/", views_testing.assignment_new, name="assignment_new"),
    path("assign/<int:pk>/", views_testing.assignment_detail, name="assignment_detail"),
    path("orders/", views_testing.order_list, name="order_list"),
    path("orders/<uuid:public_id>/", views_testing.order_detail, name="order_detail"),
    path("orders/<uuid:public_id>/act/<slug:action>/", views_testing.order_act, name="order_act"),
    path("reports/<uuid:public_id>/<slug:language>.pdf", views_testing.report_download, name="report_pdf"),
    path("<uuid:public_id>/", views.lab_detail, name="lab_detail"),
    path("<uuid:public_id>/act/<slug:action>/", views.lab_act, name="lab_act"),
]
