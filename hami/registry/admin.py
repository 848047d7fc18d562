from django.contrib import admin

from hami.registry.models import ProductionUnit


@admin.register(ProductionUnit)
class ProductionUnitAdmin(admin.ModelAdmin):
    """Read-only here: units change through the office pages, the importer and the API (services)."""

    list_display = ("national_id", "name_fa", "province", "county", "status")
    list_filter = ("province", "status", "size_class")
    search_fields = ("national_id", "name_fa", "name_en")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
