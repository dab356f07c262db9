"""Serializers of the platform catalogue, media accounts and chat groups for the read-only
API (`beian.api`). Lists carry what a list row shows; the detail adds the rest of the record
and its team, whose contact details follow the record page's rule: in full for users who
may see personal data on this record, masked otherwise."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beian.orgs.api import PersonContactSerializer, UnitRefSerializer, display_field, enum_field

from .choices import (
    AccountStatus,
    ActivitySource,
    FilingState,
    GroupPurpose,
    GroupStatus,
    PlatformCategory,
    TeamRole,
    Tier,
)
from .models import AccountMember, ChatGroup, GroupMember, MediaAccount, Platform

#: Team roles in the order the forms list them (主管领导, 第一责任人 … 负责学生).
ROLE_ORDER = {role: index for index, role in enumerate(TeamRole.values)}


def ordered_team(record: MediaAccount | ChatGroup) -> list[AccountMember | GroupMember]:
    """The record's team in form order, from the prefetched `members` (no query of its own)."""
    return sorted(
        record.members.all(), key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), m.pk)
    )


class TeamContextMixin:
    """For the people on a record's team (and a group's creator): whether the requesting
    user sees their contact details in full is decided once, for the record, as on the
    record's page (`User.can_see_personal_data(record)`)."""

    def team_context(self, record: MediaAccount | ChatGroup) -> dict:
        if getattr(self, "_team_context_for", None) != record.pk:
            user = self.context["request"].user
            self._team_context_for = record.pk
            self._team_context = {
                **self.context,
                "shows_personal_data": user.can_see_personal_data(record),
            }
        return self._team_context


# --- platforms -----------------------------------------------------------------------------


class PlatformRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = ["id", "code", "name"]
        read_only_fields = fields


class PlatformSerializer(serializers.ModelSerializer):
    """An entry of the platform catalogue."""

    category = enum_field(PlatformCategory, "PlatformCategoryEnum")
    category_display = display_field("get_category_display")
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Platform
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_display",
            "for_groups",
            "audience_word",
            "address_hint",
            "address_pattern",
            "aliases",
            "sort_order",
            "is_active",
        ]
        read_only_fields = fields


class PlatformFilterSet(django_filters.FilterSet):
    """Group platforms or account platforms; platforms in use or retired."""

    for_groups = django_filters.BooleanFilter(label="群聊平台")
    is_active = django_filters.BooleanFilter(label="在用")

    class Meta:
        model = Platform
        fields = ["for_groups", "is_active"]


# --- team ----------------------------------------------------------------------------------


class TeamMemberSerializer(serializers.Serializer):
    """A person in a role on an account's or a group's team."""

    role = enum_field(TeamRole, "TeamRoleEnum")
    role_display = display_field("get_role_display")
    person = PersonContactSerializer(read_only=True)


# --- accounts ------------------------------------------------------------------------------


class AccountRefSerializer(serializers.ModelSerializer):
    platform = PlatformRefSerializer(read_only=True)

    class Meta:
        model = MediaAccount
        fields = ["id", "name", "platform", "external_id"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    """A media account as a list row shows it."""

    platform = PlatformRefSerializer(read_only=True)
    owner_unit = UnitRefSerializer(read_only=True)
    guiding_unit = UnitRefSerializer(read_only=True, allow_null=True)
    tier = enum_field(Tier, "TierEnum")
    tier_display = display_field("get_tier_display")
    status = enum_field(AccountStatus, "AccountStatusEnum")
    status_display = display_field("get_status_display")
    filing_state = enum_field(FilingState, "FilingStateEnum")
    filing_state_display = display_field("get_filing_state_display")

    class Meta:
        model = MediaAccount
        fields = [
            "id",
            "name",
            "platform",
            "external_id",
            "url",
            "owner_unit",
            "guiding_unit",
            "tier",
            "tier_display",
            "is_personal",
            "is_official",
            "verified",
            "audience",
            "status",
            "status_display",
            "filing_state",
            "filing_state_display",
            "registration_number",
            "created_month",
            "last_post_date",
            "closed_on",
        ]
        read_only_fields = fields


class AccountDetailSerializer(TeamContextMixin, AccountSerializer):
    """A media account with everything its page shows, team included."""

    last_post_source = enum_field(ActivitySource, "ActivitySourceEnum", allow_blank=True)
    last_post_source_display = display_field("get_last_post_source_display")
    qr_code = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()

    class Meta(AccountSerializer.Meta):
        fields = [
            *AccountSerializer.Meta.fields,
            "tier_override_reason",
            "verified_month",
            "update_frequency",
            "columns",
            "introduction",
            "last_post_source",
            "last_post_source_display",
            "feed_url",
            "qr_code",
            "closed_reason",
            "created_at",
            "updated_at",
            "team",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_qr_code(self, account: MediaAccount) -> str | None:
        """The permission-checked address of the QR code image (never MEDIA_URL)."""
        if not account.qr_code:
            return None
        url = reverse("registry:account_qr", args=[account.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_team(self, account: MediaAccount):
        return TeamMemberSerializer(
            ordered_team(account), many=True, context=self.team_context(account)
        ).data


# --- groups --------------------------------------------------------------------------------


class GroupRefSerializer(serializers.ModelSerializer):
    platform = PlatformRefSerializer(read_only=True)

    class Meta:
        model = ChatGroup
        fields = ["id", "name", "platform", "group_number"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer):
    """A chat group as a list row shows it."""

    platform = PlatformRefSerializer(read_only=True)
    owner_unit = UnitRefSerializer(read_only=True)
    purpose = enum_field(GroupPurpose, "GroupPurposeEnum")
    purpose_display = display_field("get_purpose_display")
    status = enum_field(GroupStatus, "GroupStatusEnum")
    status_display = display_field("get_status_display")

    class Meta:
        model = ChatGroup
        fields = [
            "id",
            "name",
            "platform",
            "group_number",
            "purpose",
            "purpose_display",
            "owner_unit",
            "member_count",
            "has_outside_members",
            "outside_member_count",
            "is_temporary",
            "temporary_until",
            "status",
            "status_display",
            "registered",
            "created_month",
            "dissolved_on",
        ]
        read_only_fields = fields


class GroupDetailSerializer(TeamContextMixin, GroupSerializer):
    """A chat group with everything its page shows: creator and group admins included."""

    creator = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()

    class Meta(GroupSerializer.Meta):
        fields = [
            *GroupSerializer.Meta.fields,
            "dissolved_reason",
            "creator",
            "created_at",
            "updated_at",
            "team",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonContactSerializer(allow_null=True))
    def get_creator(self, group: ChatGroup):
        if group.creator is None:
            return None
        return PersonContactSerializer(group.creator, context=self.team_context(group)).data

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_team(self, group: ChatGroup):
        return TeamMemberSerializer(
            ordered_team(group), many=True, context=self.team_context(group)
        ).data
