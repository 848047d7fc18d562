from django.urls import path

from hami.dashboard import views

urlpatterns = [path("", views.home, name="home")]
