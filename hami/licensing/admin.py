from django.contrib import admin

from hami.core.admin import ReadOnlyAdmin
from hami.licensing.models import Application, Complaint, Licence, SanctionReason, SigningKey, TimeTarget


@admin.register(TimeTarget)
class TimeTargetAdmin(admin.ModelAdmin):
    """How many working days each step may take; a province's row replaces the national one."""

    list_display = ("state", "track", "working_days", "province")
    list_filter = ("track", "province")


@admin.register(SanctionReason)
class SanctionReasonAdmin(admin.ModelAdmin):
    """The catalogue of reasons for suspension and revocation; retire a reason by unticking `active`."""

    list_display = ("code", "name_fa", "name_en", "active")
    list_filter = ("active",)

    def has_delete_permission(self, request, obj=None):
        return False  # decisions refer to their reason for ever


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("number", "unit", "state", "track", "due_on", "province")
    list_filter = ("state", "track", "province")
    search_fields = ("number",)


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "tracking_code", "unit", "state", "expires_on", "province")
    list_filter = ("state", "province")
    search_fields = ("number", "tracking_code")


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("kid", "province", "created_at", "retired_at")
    exclude = ("private_key_encrypted",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "tracking_code", "licence", "province", "state")
    list_filter = ("state", "province")
