"""Forms of the campaign pages. They only read input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.orgs.models import Unit
from beian.registry.models import Platform

from .choices import CampaignKind, CampaignScope, SheetCode

OPTIONAL_MARK = "（选答）"


class CampaignForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    notice = forms.CharField(
        label=_("通知正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("支持 Markdown：**加粗**、列表、链接"),
    )
    scope = forms.ChoiceField(
        label=_("范围"), choices=CampaignScope.choices, initial=CampaignScope.BOTH
    )
    platforms = forms.ModelMultipleChoiceField(
        label=_("平台"),
        queryset=Platform.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("不选表示全部平台"),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("参加单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("不选表示全部二级单位；每个单位连同其下属单位填报一份"),
    )
    opens_on = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    sheets = forms.MultipleChoiceField(
        label=_("报送表格"),
        choices=SheetCode.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("各单位须签字盖章报送的汇总表（可多选）"),
    )
    group_min_members = forms.IntegerField(
        label=_("群聊统计人数下限"),
        min_value=1,
        required=False,
        help_text=_("不填按策略设置"),
    )
    checklist = forms.CharField(
        label=_("检查项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一项，各单位逐项回答“是/否”；行末写“（选答）”的可不答"),
    )

    def __init__(self, *args, owner_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_unit is not None:
            subtree = Unit.objects.subtree_ids([owner_unit.pk])
            self.fields["units"].queryset = (
                Unit.objects.filter(pk__in=subtree, is_active=True)
                .exclude(pk=owner_unit.pk)
                .order_by("name")
            )

    def checklist_entries(self) -> list[tuple[str, bool]]:
        entries = []
        for line in (self.cleaned_data.get("checklist") or "").splitlines():
            text = line.strip()
            if not text:
                continue
            required = not text.endswith(OPTIONAL_MARK)
            entries.append((text.removesuffix(OPTIONAL_MARK).strip(), required))
        return entries

    def campaign_data(self) -> dict:
        keys = ("kind", "title", "notice", "scope", "opens_on", "deadline", "sheets")
        data = {k: self.cleaned_data.get(k) for k in keys}
        data["group_min_members"] = self.cleaned_data.get("group_min_members")
        data["sheets"] = list(data["sheets"] or [])
        return data


def checklist_text(campaign) -> str:
    return "\n".join(
        item.text + ("" if item.required else OPTIONAL_MARK) for item in campaign.checklist.all()
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("附件"), help_text=_("PDF、JPG、PNG，或供填写的 Word、Excel 表格")
    )


class ScanForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("签字盖章扫描件"), help_text=_("PDF、JPG 或 PNG"))


class ClosingForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("注销/解散原因"), max_length=255)
    on = forms.DateField(
        label=_("注销/解散日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    proof = forms.FileField(
        label=_("注销/解散证明"), help_text=_("截图或平台通知：PDF、JPG 或 PNG")
    )


class ReturnForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
