from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]
    # Rows of the role inline are audited as grants and revocations (beian/core/adminaudit.py).
    audit_events = {
        "users.RoleAssignment": {"create": "role_granted", "delete": "role_revoked"},
    }
    fieldsets = (*BaseUserAdmin.fieldsets, ("Beian", {"fields": ("display_name", "person")}))
    raw_id_fields = ["person"]
