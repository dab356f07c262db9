"""Read-only admin views: requests change only through the workflow services."""

from django.contrib import admin

from .models import Filing, FilingEvent, FilingStep, RegistrationCounter


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = FilingStep
    extra = 0
    can_delete = False
    readonly_fields = ("round", "position", "step", "status", "decided_by", "decided_at", "comment")

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = FilingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "round", "step", "comment")
    exclude = ("detail",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ("account_name", "kind", "status", "current_step", "owner_unit", "applicant")
    list_filter = ("kind", "status", "current_step")
    search_fields = ("account_name", "registration_number")
    inlines = [StepInline, EventInline]


@admin.register(RegistrationCounter)
class RegistrationCounterAdmin(ReadOnlyAdmin):
    list_display = ("year", "last")
