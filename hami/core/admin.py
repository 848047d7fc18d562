from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from hami.core.models import ApiToken, AuditEvent, County, Holiday, Province, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """For audited models: they change only through services, so the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "role", "province", "is_active")
    list_filter = ("role", "province", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Role"), {"fields": ("role", "province")}))


class CountyInline(admin.TabularInline):
    model = County
    extra = 0


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en")
    inlines = [CountyInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "event_type", "object_type", "object_id", "province")
    list_filter = ("event_type", "province")
    search_fields = ("object_id", "actor_label")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # tokens are created by `manage.py api_token create`, which shows the key once


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The holiday calendar the working-day targets count around (national rows have no province)."""

    list_display = ("date", "name_fa", "name_en", "province")
    list_filter = ("province",)
    date_hierarchy = "date"
