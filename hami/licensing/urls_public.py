from django.urls import path

from hami.licensing import views_public

urlpatterns = [
    path("", views_public.verify_form, name="verify"),
    path("mark/", views_public.verify_mark, name="verify_mark"),
    path("<str:code>/", views_public.verify_code, name="verify_code"),
    path("<str:code>/complaint/", views_public.complaint_new, name="complaint_new"),
]
