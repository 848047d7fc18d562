from django.contrib import admin

from hami.core.admin import ReadOnlyAdmin
from hami.standards.models import ProductCategory, Standard


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ("number", "year", "title_fa", "status", "is_mandatory", "scheme")
    list_filter = ("status", "is_mandatory", "scheme")
    search_fields = ("number", "title_fa", "title_en", "ics")


@admin.register(ProductCategory)
class ProductCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_fa", "hs_code", "isic", "hazard_level")
    list_filter = ("hazard_level",)
    search_fields = ("code", "name_fa", "name_en", "hs_code")
