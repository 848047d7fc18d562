from django.contrib import admin

from hami.core.admin import ReadOnlyAdmin
from hami.registry.models import ProductionUnit


@admin.register(ProductionUnit)
class ProductionUnitAdmin(ReadOnlyAdmin):
    list_display = ("national_id", "name_fa", "province", "county", "status")
    list_filter = ("province", "status", "size_class")
    search_fields = ("national_id", "name_fa", "name_en")
