from django.urls import path

from hami.supervision import views

app_name = "supervision"
urlpatterns = [
    path("risk/", views.risk_list, name="risk_list"),
    path("risk/new/", views.risk_new, name="risk_new"),
    path("risk/<uuid:public_id>/", views.risk_detail, name="risk_detail"),
]
