"""Read-only admin views: these rows change only through the notify services."""

from django.contrib import admin

from .models import Channel, Message, Notification, Reminder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "text", "kind", "subject", "created_at", "read_at")


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ("unit", "name", "kind", "enabled", "last_ok_at", "last_error_at")
    exclude = ("secret",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("key", "unit", "kind", "due_at", "state", "sent_at")
    list_filter = ("state", "kind")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("title", "channel", "state", "attempts", "next_try_at", "sent_at")
    list_filter = ("state",)
