from django.urls import path

from hami.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="standard_list"),
    path("import/", views.standards_import_view, name="standards_import"),
    path("<int:pk>/", views.standard_detail, name="standard_detail"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<slug:code>/", views.category_detail, name="category_detail"),
]
