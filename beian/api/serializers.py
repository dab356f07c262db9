"""Serializers of the write API: what a request carries (checked again by the same form
and services as the pages) and what it answers."""

from __future__ import annotations

from rest_framework import serializers

from beian.filings.choices import FilingKind, FilingStatus
from beian.filings.models import Filing
from beian.orgs.api import UnitRefSerializer, display_field, enum_field
from beian.registry.choices import ActivitySource
from beian.transfer.services import KINDS

# --- filings ------------------------------------------------------------------------------


class TeamRowSerializer(serializers.Serializer):
    role = serializers.CharField(
        help_text="职能：supervisor 主管领导 / first_responsible 第一责任人 / operator 运营者 …"
    )
    name = serializers.CharField(max_length=64)
    identity = serializers.CharField(required=False, help_text="身份：staff 教职工 / student 学生")
    unit_name = serializers.CharField(required=False, allow_blank=True)
    post = serializers.CharField(required=False, allow_blank=True)
    mobile = serializers.CharField(required=False, allow_blank=True)
    qq = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)


class FilingInputSerializer(serializers.Serializer):
    """The 备案表 as the page's form takes it; which fields a kind needs is the form's
    rule (e.g. `new`: account_name, platform, responsible_name, goes_live_on, owner_unit)."""

    kind = serializers.ChoiceField(choices=FilingKind.choices)
    account = serializers.IntegerField(required=False, help_text="late / change / closing：账号 id")
    group = serializers.IntegerField(required=False, help_text="group / closing：群聊 id")
    owner_unit = serializers.IntegerField(required=False, help_text="new：责任单位 id")
    guiding_unit = serializers.IntegerField(required=False)
    platform = serializers.IntegerField(required=False, help_text="new：平台 id")
    is_personal = serializers.BooleanField(required=False)
    account_name = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)
    responsible_name = serializers.CharField(required=False, allow_blank=True)
    responsible_post = serializers.CharField(required=False, allow_blank=True)
    responsible_phone = serializers.CharField(required=False, allow_blank=True)
    created_month = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM")
    goes_live_on = serializers.DateField(required=False)
    verified = serializers.BooleanField(required=False)
    verified_month = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM")
    columns = serializers.CharField(required=False, allow_blank=True)
    update_frequency = serializers.CharField(required=False, allow_blank=True)
    introduction = serializers.CharField(required=False, allow_blank=True)
    change_kinds = serializers.ListField(child=serializers.CharField(), required=False)
    effective_on = serializers.DateField(required=False, help_text="change：变更生效日期")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="closing：理由")
    closing_on = serializers.DateField(required=False, help_text="closing：注销/解散日期")
    team = TeamRowSerializer(many=True, required=False, help_text="管理队伍")
    pledge = serializers.BooleanField(required=False, help_text="已阅读并同意网络安全承诺书")
    submit = serializers.BooleanField(
        required=False, default=True, help_text="true（默认）：立即提交审批；false：保存草稿"
    )


class FilingSerializer(serializers.ModelSerializer):
    kind = enum_field(FilingKind, "FilingKindEnum")
    kind_display = display_field("get_kind_display")
    status = enum_field(FilingStatus, "FilingStatusEnum")
    status_display = display_field("get_status_display")
    owner_unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "account_name",
            "owner_unit",
            "account",
            "group",
            "registration_number",
            "submitted_at",
            "created_at",
        ]
        read_only_fields = fields


# --- activity -----------------------------------------------------------------------------


class ActivityInputSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="最近一次发布内容的日期")
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="出处，例如文章链接"
    )


class ActivityResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    last_post_date = serializers.DateField(allow_null=True)
    last_post_source = serializers.CharField()


ACTIVITY_SOURCE = ActivitySource.OPERATOR

# --- imports ------------------------------------------------------------------------------


class ImportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, k) for k in KINDS])
    file = serializers.FileField(help_text="xlsx / xls / ods / csv，表头与导入页相同")
    unit = serializers.IntegerField(required=False, help_text="导入到该单位（二级单位管理员必填）")


class ImportCommitSerializer(serializers.Serializer):
    drop = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="舍弃的错误行号"
    )


class ImportPreviewSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="提交导入时使用")
    kind = serializers.CharField()
    file = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    error_rows = serializers.ListField(child=serializers.IntegerField())
    messages = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="新增、修改、有错误或提示的行"
    )
    committed = serializers.BooleanField()


class ImportResultSerializer(serializers.Serializer):
    written = serializers.DictField(child=serializers.IntegerField())
    counts = serializers.DictField(child=serializers.IntegerField())
    audit_event = serializers.IntegerField(allow_null=True)


# --- campaign tasks -----------------------------------------------------------------------


class ConfirmItemsSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="确认无误的记录（任务条目 id）"
    )
    all_unchanged = serializers.BooleanField(
        required=False, default=False, help_text="true：全部确认无变化"
    )


class ChecklistAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="检查项 id")
    answer = serializers.BooleanField(allow_null=True, help_text="true 是 / false 否 / null 未答")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ChecklistInputSerializer(serializers.Serializer):
    answers = ChecklistAnswerSerializer(many=True)


class CountSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()
