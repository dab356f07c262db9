"""Forms of the registry UI: an account or a group with its team (a formset), closing or
dissolving, and the school admin's tier override. Forms validate what a person typed; the
services decide who may write what and write it."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin, YearMonthField
from beian.orgs.models import Unit

from . import selectors, services
from .choices import AccountStatus, GroupStatus, TeamRole, Tier
from .models import ChatGroup, MediaAccount

MAX_AUDIENCE = 2_000_000_000


class AudienceField(forms.CharField):
    """A head count as people write it: "12000", "12,000", "1.2万", "1.2w"."""

    default_error_messages = {
        "invalid": _("请填写人数，例如 12000 或 1.2万"),
        "negative": _("人数不能为负数"),
        "too_large": _("人数过大，请检查"),
    }
    _pattern = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(万|w|W)?$")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("maxlength", "32")
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("placeholder", _("如 12000 或 1.2万"))

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = str(value).replace(",", "").replace("，", "").replace(" ", "")
        match = self._pattern.match(text)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            number = Decimal(match.group(1))
        except InvalidOperation as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if match.group(2):
            number *= 10000
        if number < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if number > MAX_AUDIENCE:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return int(number.to_integral_value())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MarkedBoundField(BoundField):
    """Adds Bootstrap's `is-invalid` to a widget whose field has errors."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            widget = widget or self.field.widget
            css = attrs.get("class", widget.attrs.get("class", ""))
            attrs["class"] = f"{css} is-invalid".strip()
        return attrs


class SectionedFormMixin:
    """`sections` = [(title, [field names])]; templates render one card per section and
    skip fields the form does not have for this user."""

    sections: list[tuple[str, list[str]]] = []

    def fieldsets(self):
        for title, names in self.sections:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield title, fields


class RecordForm(StyledFormMixin, SectionedFormMixin, forms.ModelForm):
    """What account and group forms share: the owning unit limited to where the user may
    write, fields only managers may change shown read-only to operators, and the service's
    row rules reported on the fields."""

    bound_field_class = MarkedBoundField

    manager_fields: frozenset[str] = frozenset()
    closed_status = ""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        record = self.instance
        units = selectors.writable_units(user)
        if record.pk and not user.can_edit_in_unit(record.owner_unit_id):
            units = Unit.objects.filter(pk=record.owner_unit_id)
            for name in self.manager_fields:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("由单位管理员修改")
        self.fields["owner_unit"].queryset = units
        status = self.fields["status"]
        status.choices = [c for c in status.choices if c[0] != self.closed_status]

    def rule_errors(self) -> dict[str, str]:
        return {}

    def _post_clean(self):
        super()._post_clean()
        placed = {}
        for name, message in self.rule_errors().items():
            if name in self.fields:
                placed[str(message)] = name
                if name not in self.errors:
                    self.add_error(name, message)
        # A constraint over several fields reports at the top of the form; show it on the
        # field to correct instead (the last field of a unique constraint, or the field a
        # row rule already marked).
        for constraint in self._meta.model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and fields[-1] in self.fields:
                placed.setdefault(str(constraint.violation_error_message), fields[-1])
        top = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if top:
            kept = [message for message in top if message not in placed]
            moved = [message for message in top if message in placed]
            if kept:
                self._errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            else:
                del self._errors[NON_FIELD_ERRORS]
            for message in moved:
                if message not in self.errors.get(placed[message], []):
                    self.add_error(placed[message], message)

    def service_data(self) -> dict:
        """cleaned_data as the service takes it (a cleared file is stored as empty)."""
        data = {}
        for name, value in self.cleaned_data.items():
            if name in self.service_fields:
                data[name] = "" if value is False and name == "qr_code" else value
        return data


class AccountForm(RecordForm):
    manager_fields = services.ACCOUNT_MANAGER_FIELDS
    service_fields = services.ACCOUNT_FIELDS
    closed_status = AccountStatus.CLOSED
    sections = [
        (
            _("基本信息"),
            [
                "platform",
                "name",
                "external_id",
                "url",
                "owner_unit",
                "guiding_unit",
                "is_official",
                "is_personal",
                "created_month",
                "status",
                "qr_code",
                "columns",
                "introduction",
            ],
        ),
        (
            _("认证与受众"),
            [
                "verified",
                "verified_month",
                "audience",
                "update_frequency",
                "last_post_date",
                "feed_url",
            ],
        ),
        (_("备案"), ["filing_state", "registration_number"]),
    ]

    created_month = YearMonthField(label=_("创建时间"), required=False, help_text=_("年月"))
    verified_month = YearMonthField(
        label=_("认证时间"), required=False, help_text=_("已认证时必填")
    )
    audience = AudienceField(label=_("关注人数"), required=False, help_text=_("可写“1.2万”"))
    url = forms.URLField(label=_("访问链接"), max_length=500, required=False, assume_scheme="https")
    feed_url = forms.URLField(
        label=_("订阅源地址"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("RSS / Atom 地址，用于自动获取最近发布日期"),
    )

    class Meta:
        model = MediaAccount
        fields = [
            "platform",
            "name",
            "external_id",
            "url",
            "qr_code",
            "owner_unit",
            "guiding_unit",
            "is_personal",
            "is_official",
            "created_month",
            "status",
            "verified",
            "verified_month",
            "audience",
            "update_frequency",
            "last_post_date",
            "feed_url",
            "columns",
            "introduction",
            "filing_state",
            "registration_number",
        ]
        widgets = {
            "columns": forms.Textarea(attrs={"rows": 3}),
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "last_post_date": DateInput(),
            "qr_code": forms.ClearableFileInput(attrs={"accept": "image/*"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["platform"].queryset = selectors.account_platforms(
            keep=self.instance.platform_id
        )
        self.fields["guiding_unit"].queryset = Unit.objects.filter(is_active=True).order_by("name")
        self.fields["update_frequency"].widget.attrs.setdefault(
            "placeholder", _("如 1次/日、2-3次/周")
        )
        self.fields["guiding_unit"].empty_label = _("— 无 —")
        self.fields["last_post_date"].help_text = _("运营者填报")
        if not user.is_school_admin:
            for name in services.ACCOUNT_SCHOOL_FIELDS:
                self.fields.pop(name, None)
        self._bound_fields_cache.clear()  # labels and help texts changed after __init__

    def clean_last_post_date(self):
        value = self.cleaned_data.get("last_post_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("最近发布日期不能晚于今天"))
        return value

    def rule_errors(self):
        return services.account_rule_errors(self.instance)


class GroupForm(RecordForm):
    manager_fields = services.GROUP_MANAGER_FIELDS
    service_fields = services.GROUP_FIELDS
    closed_status = GroupStatus.DISSOLVED
    sections = [
        (
            _("基本信息"),
            ["platform", "name", "group_number", "purpose", "owner_unit", "creator", "status"],
        ),
        (
            _("成员与期限"),
            [
                "member_count",
                "has_outside_members",
                "outside_member_count",
                "created_month",
                "is_temporary",
                "temporary_until",
                "registered",
            ],
        ),
    ]

    created_month = YearMonthField(label=_("创建时间"), required=False, help_text=_("年月"))

    class Meta:
        model = ChatGroup
        fields = [
            "platform",
            "name",
            "group_number",
            "purpose",
            "owner_unit",
            "creator",
            "status",
            "member_count",
            "has_outside_members",
            "outside_member_count",
            "created_month",
            "is_temporary",
            "temporary_until",
            "registered",
        ]
        widgets = {"temporary_until": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["platform"].queryset = selectors.group_platforms(keep=self.instance.platform_id)
        people = selectors.selectable_people(user, self.instance)
        creator = self.fields["creator"]
        creator.queryset = people
        chosen = self.data.get(self.add_prefix("creator")) if self.is_bound else None
        chosen = chosen or self.initial.get("creator") or self.instance.creator_id
        chosen = getattr(chosen, "pk", chosen)
        labels = picker_labels(people.filter(pk=chosen)) if str(chosen).isdigit() else {}
        creator.widget = PersonPicker(attrs={"class": "form-control"}, labels=labels)
        self.fields["member_count"].min_value = 0
        self.fields["outside_member_count"].min_value = 0
        self.fields["temporary_until"].help_text = _("临时群必填")
        self._bound_fields_cache.clear()  # labels and help texts changed after __init__

    def rule_errors(self):
        return services.group_rule_errors(self.instance)


class PersonPicker(forms.Widget):
    """A person chosen by typing: a search box whose suggestions come from the person
    autocomplete (orgs:person_suggest, scoped to what the user may see) and a hidden input
    holding the chosen person's id. `labels` maps ids to the text shown for them, so that
    a bound or initial value renders without a query per row (static/js/team.js)."""

    template_name = "registry/widgets/person_picker.html"

    def __init__(self, attrs=None, labels=None):
        super().__init__(attrs)
        self.labels = labels or {}

    def format_value(self, value):
        value = getattr(value, "pk", value)
        return "" if value in (None, "") else str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["label"] = self.labels.get(context["widget"]["value"], "")
        return context


def picker_labels(people) -> dict[str, str]:
    """Text of a chosen person in a picker: name, number and unit, as the suggestions say."""
    return {
        str(p.pk): " · ".join(part for part in (p.name, p.number, p.unit.name) if part)
        for p in people
    }


class TeamMemberForm(StyledFormMixin, forms.Form):
    """One row of a team: a role and a person. A row left empty is ignored."""

    bound_field_class = MarkedBoundField

    role = forms.ChoiceField(
        label=_("职能"), required=False, choices=[("", _("— 职能 —")), *TeamRole.choices]
    )
    person = forms.ModelChoiceField(
        label=_("人员"), required=False, queryset=None, widget=PersonPicker
    )

    def __init__(self, *args, people, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].widget.labels = labels

    def clean(self):
        data = super().clean()
        if data.get("person") and not data.get("role"):
            self.add_error("role", _("请选择职能"))
        if data.get("role") and not data.get("person") and not self.errors.get("person"):
            self.add_error("person", _("请选择人员"))
        return data


class BaseTeamFormSet(forms.BaseFormSet):
    """The team of an account or a group. Rows are added in the page ("添加一行", up to
    `max_num`); people are picked through the scoped autocomplete, and the labels of the
    people already in the rows are read in one query."""

    def __init__(self, *args, user, record=None, **kwargs):
        people = selectors.selectable_people(user, record)
        data = kwargs.get("data", args[0] if args else None)
        if record is not None and record.pk and data is None:
            kwargs["initial"] = [
                {"role": m.role, "person": m.person_id} for m in selectors.record_team(record)
            ]
        wanted = {str(row["person"]) for row in kwargs.get("initial") or ()}
        if data is not None:
            prefix = kwargs.get("prefix") or self.get_default_prefix()
            wanted |= {
                value
                for key, value in data.items()
                if key.startswith(f"{prefix}-") and key.endswith("-person")
            }
        ids = [int(value) for value in wanted if str(value).isdigit()][: self.absolute_max]
        labels = picker_labels(people.filter(pk__in=ids)) if ids else {}
        kwargs["form_kwargs"] = {"people": people, "labels": labels}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
            form.fields["DELETE"].label = _("移除")

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        roles = dict(TeamRole.choices)
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            role, person = form.cleaned_data.get("role"), form.cleaned_data.get("person")
            if not person:
                continue
            if (role, person.pk) in seen:
                raise forms.ValidationError(
                    _("%(person)s 在“%(role)s”中重复出现，请删去多余的一行")
                    % {"person": person.name, "role": roles[role]}
                )
            seen.add((role, person.pk))

    def members(self) -> list[tuple[str, object]]:
        """The team as (role, person) pairs, in the order entered."""
        return [
            (form.cleaned_data["role"], form.cleaned_data["person"])
            for form in self.forms
            if form.cleaned_data.get("person")
            and not (self.can_delete and self._should_delete_form(form))
        ]


TeamFormSet = forms.formset_factory(
    TeamMemberForm,
    formset=BaseTeamFormSet,
    extra=3,
    can_delete=True,
    max_num=50,
    absolute_max=60,
    validate_max=True,
)


class CloseForm(StyledFormMixin, forms.Form):
    """Closing an account or dissolving a group: the date, the reason, and a confirmation."""

    bound_field_class = MarkedBoundField

    on = forms.DateField(label=_("日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), max_length=255)
    confirm = forms.BooleanField(label=_("我确认此操作"), required=True)

    def __init__(self, *args, verb: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("%(verb)s日期") % {"verb": verb}
        self.fields["on"].initial = timezone.localdate()
        self.fields["reason"].label = _("%(verb)s原因") % {"verb": verb}
        self.fields["reason"].widget.attrs["placeholder"] = _("如：已停止使用、半年以上未更新")
        self.fields["confirm"].label = _("我确认%(verb)s。记录不会被删除，仍保留在历史和报表中") % {
            "verb": verb
        }
        self._bound_fields_cache.clear()  # labels changed after __init__

    def clean_on(self):
        value = self.cleaned_data["on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天"))
        return value


class TierForm(StyledFormMixin, forms.Form):
    """The school admin's override of an account's tier, with the reason recorded."""

    bound_field_class = MarkedBoundField

    tier = forms.TypedChoiceField(label=_("账号分级"), choices=Tier.choices, coerce=int)
    tier_override_reason = forms.CharField(
        label=_("调整理由"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("与按单位类型确定的分级不同时必填"),
    )

    def __init__(self, *args, account: MediaAccount, **kwargs):
        kwargs.setdefault(
            "initial", {"tier": account.tier, "tier_override_reason": account.tier_override_reason}
        )
        super().__init__(*args, **kwargs)
        self.account = account

    def clean(self):
        data = super().clean()
        tier = data.get("tier")
        if (
            tier
            and tier != self.account.derived_tier
            and not data.get("tier_override_reason", "").strip()
        ):
            self.add_error("tier_override_reason", _("与按单位类型确定的分级不同，须填写调整理由"))
        return data
