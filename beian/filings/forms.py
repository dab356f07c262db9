"""Forms of the filing pages: the 备案表 fields, the 管理队伍 formset, the pledge, the
attachment, change reports, closings and the approver's decision."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin, YearMonthField
from beian.core.policy import CHANGE_KINDS, get_policy
from beian.orgs.choices import PersonKind
from beian.orgs.models import Unit
from beian.registry.choices import TeamRole
from beian.registry.models import Platform

from .choices import AttachmentKind, Decision, FilingKind
from .models import Filing
from .pledge import PLEDGE_TITLE
from .uploads import check_upload


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ApplicableUnitField(UnitChoiceField):
    """责任单位: only the units the user may file for (`selectors.applicable_units`). A
    unit outside them (a forged or outdated choice) is refused on the form, by name."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            unit = Unit.objects.filter(pk=value).first() if str(value).isdigit() else None
            if unit is None:
                raise ValidationError(
                    _("所选责任单位不存在，请重新选择"), code="invalid_choice"
                ) from None
            raise ValidationError(
                _("您不能为“%(unit)s”申请备案：请从列表中选择您负责的单位"),
                code="invalid_choice",
                params={"unit": unit.name},
            ) from None


ACCOUNT_FIELDS = (
    "owner_unit",
    "guiding_unit",
    "platform",
    "is_personal",
    "account_name",
    "external_id",
    "url",
    "created_month",
    "goes_live_on",
    "verified",
    "verified_month",
    "responsible_name",
    "responsible_post",
    "responsible_phone",
    "update_frequency",
    "columns",
    "introduction",
)

#: Which form fields each kind of request shows.
FIELDS_BY_KIND = {
    FilingKind.NEW: tuple(f for f in ACCOUNT_FIELDS if f != "created_month"),
    FilingKind.LATE: tuple(
        f
        for f in ACCOUNT_FIELDS
        if f not in ("owner_unit", "is_personal", "platform", "goes_live_on")
    ),
    FilingKind.GROUP: ("responsible_name", "responsible_post", "responsible_phone", "introduction"),
    FilingKind.CHANGE: (
        "account_name",
        "external_id",
        "url",
        "guiding_unit",
        "responsible_name",
        "responsible_post",
        "responsible_phone",
        "columns",
        "update_frequency",
        "introduction",
        "effective_on",
        "change_kinds",
    ),
    FilingKind.CLOSING: ("reason", "closing_on"),
}


class FilingForm(StyledFormMixin, forms.ModelForm):
    """The 备案表 of one kind of request. `pledge` and `attachment` are not model fields;
    the view passes them to the service."""

    url = forms.URLField(label=_("访问链接"), required=False, assume_scheme="https", max_length=500)
    created_month = YearMonthField(label=_("创建时间"), required=False)
    verified_month = YearMonthField(label=_("认证时间"), required=False)
    change_kinds = forms.MultipleChoiceField(
        label=_("变更事项"),
        choices=list(CHANGE_KINDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("系统会根据修改的内容自动识别，也可手动勾选"),
    )
    pledge = forms.BooleanField(
        label=_("本单位（本人）已阅读并同意遵守《%(title)s》") % {"title": PLEDGE_TITLE},
        required=False,
    )
    attachment = forms.FileField(
        label=_("申请材料扫描件"),
        required=False,
        help_text=_("签字盖章后的申请表扫描件，PDF、JPG 或 PNG"),
    )

    class Meta:
        model = Filing
        fields = (*ACCOUNT_FIELDS, "effective_on", "reason", "closing_on")
        widgets = {
            "goes_live_on": DateInput(),
            "effective_on": DateInput(),
            "closing_on": DateInput(),
            "columns": forms.Textarea(attrs={"rows": 2}),
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner_unit": _("责任单位"), "url": _("访问链接")}
        help_texts = {
            "goes_live_on": _("账号计划上线的日期；已在运行的账号请办理补办备案"),
            "external_id": _("微信公众号填微信号，微博填微博地址，QQ 类填 QQ 号"),
        }

    def __init__(self, *args, kind: str, user, units=None, pledge_required: bool = True, **kw):
        super().__init__(*args, **kw)
        self.kind = kind
        wanted = set(FIELDS_BY_KIND[kind])
        for name in list(self.fields):
            if name in ("pledge", "attachment"):
                continue
            if name not in wanted:
                del self.fields[name]
        if kind in (FilingKind.CHANGE, FilingKind.CLOSING):
            del self.fields["attachment"]
        if not pledge_required:
            del self.fields["pledge"]
        if "owner_unit" in self.fields:
            if units is None:
                raise TypeError("the 责任单位 field needs the units the user may file for")
            field = ApplicableUnitField(
                queryset=units,
                label=_("责任单位"),
                help_text=_("只列出您可以为之申请备案的单位"),
            )
            field.widget.attrs["class"] = "form-select"
            self._replace_field("owner_unit", field)
        if "guiding_unit" in self.fields:
            field = UnitChoiceField(
                queryset=Unit.objects.filter(is_active=True).order_by("name"),
                label=_("指导单位"),
                required=False,
            )
            field.widget.attrs["class"] = "form-select"
            self._replace_field("guiding_unit", field)
        if "platform" in self.fields:
            self.fields["platform"].queryset = Platform.objects.filter(
                is_active=True, for_groups=False
            )
            self.fields["platform"].empty_label = None
        required = {
            FilingKind.NEW: ("account_name", "platform", "responsible_name", "goes_live_on"),
            FilingKind.LATE: ("account_name", "responsible_name"),
            FilingKind.GROUP: ("responsible_name",),
            FilingKind.CHANGE: ("account_name", "effective_on"),
            FilingKind.CLOSING: ("reason", "closing_on"),
        }[kind]
        for name in required:
            if name in self.fields:
                self.fields[name].required = True
        if "change_kinds" in self.fields:
            self.fields["change_kinds"].widget.attrs["class"] = "form-check-input"

    def _replace_field(self, name: str, field: forms.Field) -> None:
        """Put `field` in place of the model's. The styling mixin has already bound (and
        Django cached) the old field: without dropping that cache the page would render,
        and the form validate, the unscoped list of every unit."""
        self.fields[name] = field
        self._bound_fields_cache.pop(name, None)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            check_upload(upload)
        return upload

    def clean_closing_on(self):
        value = self.cleaned_data.get("closing_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("注销/解散日期不能晚于今天"))
        return value

    def service_fields(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("pledge", "attachment") and k in self.fields
        }
        for key in ("account_name", "external_id", "url", "responsible_name"):
            if data.get(key) is None and key in data:
                data[key] = ""
        return data


class TeamMemberForm(StyledFormMixin, forms.Form):
    """One row of the 管理队伍 table."""

    # Initial values matter: a row left as it came is "unchanged" and so not saved.
    role = forms.ChoiceField(label=_("职能"), choices=TeamRole.choices, initial=TeamRole.OPERATOR)
    name = forms.CharField(label=_("姓名"), max_length=64)
    identity = forms.ChoiceField(
        label=_("身份"), choices=PersonKind.choices, initial=PersonKind.STAFF
    )
    unit_name = forms.CharField(label=_("单位"), max_length=128, required=False)
    post = forms.CharField(label=_("职务"), max_length=64, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=20, required=False)
    qq = forms.CharField(label=_("QQ号"), max_length=16, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm"
            field.widget.attrs["aria-label"] = str(field.label)

    def clean_mobile(self):
        from beian.core.validators import normalize_phone, validate_mobile

        value = normalize_phone(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        return value

    def clean_qq(self):
        from beian.core.validators import validate_qq

        value = self.cleaned_data.get("qq", "").strip()
        validate_qq(value)
        return value


class BaseTeamFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


TeamFormSet = forms.formset_factory(
    TeamMemberForm, formset=BaseTeamFormSet, extra=3, max_num=30, absolute_max=40
)


def team_initial(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "person"} for row in rows]


class AnsweredStepMixin(forms.Form):
    """The round and step a decision answers, sent back as hidden fields so that a
    second click, a second tab or a step decided meanwhile is recognised."""

    round_no = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": _("页面已过期，请刷新后再操作")},
    )
    position = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": _("页面已过期，请刷新后再操作")},
    )

    def answered_step(self) -> tuple[int, int] | None:
        """(round, position) as posted, read before the whole form is validated."""
        try:
            return int(self.data["round_no"]), int(self.data["position"])
        except (KeyError, TypeError, ValueError):
            return None


class DecisionForm(StyledFormMixin, AnsweredStepMixin):
    decision = forms.ChoiceField(
        label=_("审批意见"),
        choices=Decision.choices,
        error_messages={"required": _("请选择审批意见")},
    )
    comment = forms.CharField(
        label=_("意见说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不同意或退回修改时必须填写"),
    )


class TakeOverForm(StyledFormMixin, AnsweredStepMixin):
    reason = forms.CharField(
        label=_("接办说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG 或 PNG"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


def pledge_required_for(kind: str) -> bool:
    policy = get_policy()
    if kind in (FilingKind.NEW, FilingKind.LATE, FilingKind.GROUP):
        return policy.filing.pledge_required
    if kind == FilingKind.CHANGE:
        return policy.changes.pledge_required
    return False
