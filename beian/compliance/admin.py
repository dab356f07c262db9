"""Django admin: findings, feed states and scan runs are read-only there (the engine and
the services write them; waiving happens in the compliance pages, with its audit row)."""

from django.contrib import admin

from .models import FeedState, Finding, ScanRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["rule", "severity", "account", "group", "owner_unit", "state", "last_seen"]
    list_filter = ["state", "severity", "rule"]
    search_fields = ["message", "account__name", "group__name"]
    list_select_related = ["account__platform", "group", "owner_unit"]


@admin.register(FeedState)
class FeedStateAdmin(ReadOnlyAdmin):
    list_display = ["account", "last_checked", "last_status", "failures", "next_check_at"]
    list_select_related = ["account__platform"]


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "records", "created", "reopened", "resolved"]
