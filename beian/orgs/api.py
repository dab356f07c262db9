"""Serializers of units and people for the read-only API (`beian.api`), and the serializer
pieces the registry and compliance serializers share: named enums, references to units and
people, and contact details masked for users who may not see them. They live here, in the
lowest app with an API, so that imports keep flowing one way."""

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beian.core.masking import MASKERS

from .choices import PersonKind, PersonStatus, UnitKind
from .models import Person, Unit

MASKED_HELP = "无权查看个人信息时部分隐去（见 personal_data_masked）"


def enum_field(choices: type[models.Choices], component_name: str, **kwargs):
    """A read-only choice field described in the OpenAPI schema as the named enum component
    `component_name`, listing each value with its Chinese label. Naming each choice set
    keeps `status` of accounts, groups and people apart in the schema."""
    is_integer = issubclass(choices, models.IntegerChoices)
    schema = {
        "type": "integer" if is_integer else "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    if kwargs.get("allow_blank"):
        schema["enum"].append("")
        schema["description"] += "\n* `` - 未填"
    field_class = type(component_name, (serializers.ChoiceField,), {})
    field_class = extend_schema_field(schema, component_name=component_name)(field_class)
    return field_class(choices=choices.choices, read_only=True, **kwargs)


def display_field(source: str) -> serializers.CharField:
    """The Chinese label of a choice field (`get_<field>_display`)."""
    return serializers.CharField(source=source, read_only=True)


class UnitRefSerializer(serializers.ModelSerializer):
    """A unit named by another record (its owner, parent, guiding unit)."""

    class Meta:
        model = Unit
        fields = ["id", "name"]
        read_only_fields = fields


class PersonRefSerializer(serializers.ModelSerializer):
    """A person named by another record (a unit's head), without contact details."""

    class Meta:
        model = Person
        fields = ["id", "name"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    """A unit of the organisation tree, with how many accounts and groups it owns."""

    kind = enum_field(UnitKind, "UnitKindEnum")
    kind_display = display_field("get_kind_display")
    parent = UnitRefSerializer(read_only=True, allow_null=True)
    head = PersonRefSerializer(read_only=True, allow_null=True)
    account_count = serializers.IntegerField(read_only=True, help_text="本单位直接管理的账号数")
    group_count = serializers.IntegerField(read_only=True, help_text="本单位直接管理的群聊数")

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "code",
            "parent",
            "head",
            "is_active",
            "account_count",
            "group_count",
        ]
        read_only_fields = fields


class PersonContactSerializer(serializers.ModelSerializer):
    """A person as a team lists them. Mobile, e-mail and QQ are in full only for users who
    may see them (`User.can_see_personal_data`), masked otherwise.

    Whose rule applies: by default the person's own (their unit); a record's serializer puts
    `shows_personal_data` in the context, decided once for the record (its owner unit, or
    the operator's own team), as the record's page does."""

    unit = UnitRefSerializer(read_only=True)
    kind = enum_field(PersonKind, "PersonKindEnum")
    kind_display = display_field("get_kind_display")
    status = enum_field(PersonStatus, "PersonStatusEnum")
    status_display = display_field("get_status_display")
    mobile = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    email = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    qq = serializers.CharField(read_only=True, help_text=MASKED_HELP)
    personal_data_masked = serializers.SerializerMethodField(
        help_text="为真时手机、邮箱、QQ 已按权限部分隐去"
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "unit",
            "post",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "mobile",
            "email",
            "qq",
            "personal_data_masked",
        ]
        read_only_fields = fields

    def shows_personal_data(self, person: Person) -> bool:
        decided = self.context.get("shows_personal_data")
        if decided is not None:
            return decided
        user = getattr(self.context.get("request"), "user", None)
        return user is not None and user.is_authenticated and user.can_see_personal_data(person)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_personal_data_masked(self, person: Person) -> bool:
        return not self.shows_personal_data(person)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["personal_data_masked"]:
            for field, mask in MASKERS.items():
                data[field] = mask(data[field])
        return data


class PersonSerializer(PersonContactSerializer):
    """A person of the roster, as the people list and page show them."""

    cadre_level_display = display_field("get_cadre_level_display")

    class Meta(PersonContactSerializer.Meta):
        fields = [
            "id",
            "name",
            "number",
            "unit",
            "post",
            "cadre_level",
            "cadre_level_display",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "mobile",
            "email",
            "qq",
            "personal_data_masked",
        ]
        read_only_fields = fields
