from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ChatGroup, MediaAccount, Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "for_groups", "audience_word", "sort_order"]
    list_filter = ["category", "for_groups"]


@admin.register(MediaAccount)
class MediaAccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "platform", "owner_unit", "tier", "status", "filing_state"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["owner_unit", "guiding_unit", "created_by"]


@admin.register(ChatGroup)
class ChatGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "platform", "owner_unit", "member_count", "status"]
    search_fields = ["name", "group_number"]
    raw_id_fields = ["owner_unit", "creator", "created_by"]
