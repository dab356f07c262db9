from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Institution, Person, Unit


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "english_name", "registration_prefix"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "head"]
    search_fields = ["name", "short_name", "name_initials"]
    raw_id_fields = ["parent", "head"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "number", "kind", "unit", "status"]
    search_fields = ["name", "number"]
    raw_id_fields = ["unit"]
