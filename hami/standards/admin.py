from django.contrib import admin

from hami.standards.models import ProductCategory, Standard


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """Read-only here: the catalogue changes through services (import, API) so every change is audited."""

    list_display = ("number", "year", "title_fa", "status", "is_mandatory", "scheme")
    list_filter = ("status", "is_mandatory", "scheme")
    search_fields = ("number", "title_fa", "title_en", "ics")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProductCategory)
class ProductCategoryAdmin(StandardAdmin):
    list_display = ("code", "name_fa", "hs_code", "isic", "hazard_level")
    list_filter = ("hazard_level",)
    search_fields = ("code", "name_fa", "name_en", "hs_code")
