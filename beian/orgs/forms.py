"""Forms for units and people. Choices are limited to what the user may pick; the services
check again, so a forged POST gains nothing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.core.validators import normalize_phone, validate_mobile

from .choices import CadreLevel
from .models import Person, Unit
from .selectors import editable_units, head_candidates, unit_kinds_for


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parts = [obj.name]
        if obj.number:
            parts.append(obj.number)
        parts.append(obj.unit.name)
        return " · ".join(parts)


class UnitForm(StyledFormMixin, forms.ModelForm):
    head = PersonChoiceField(
        label=_("第一责任人"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("学院为党委书记，职能部门为主要负责人"),
    )

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "code", "parent", "head", "is_active"]
        labels = {"parent": _("上级单位")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = editable_units(user)
        current_parent = self.instance.parent_id if self.instance.pk else None
        if current_parent is not None:
            parents = parents | Unit.objects.filter(pk=current_parent)
        if self.instance.pk:
            parents = parents.exclude(pk__in=Unit.objects.subtree_ids([self.instance.pk]))
        self.fields["parent"].queryset = parents.order_by("name_pinyin")
        self.fields["parent"].empty_label = _("（无，学校为树根）")
        kinds = unit_kinds_for(user)
        if self.instance.pk and self.instance.kind not in dict(kinds):
            kinds = [(self.instance.kind, self.instance.get_kind_display()), *kinds]
        self.fields["kind"].choices = [("", _("请选择类型")), *kinds]
        heads = head_candidates(user)
        if self.instance.head_id:
            heads = heads | Person.objects.filter(pk=self.instance.head_id)
        self.fields["head"].queryset = heads.select_related("unit").order_by("name_pinyin")
        self.fields["head"].empty_label = _("（暂未设置）")


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "number",
            "kind",
            "unit",
            "post",
            "cadre_level",
            "status",
            "mobile",
            "email",
            "qq",
        ]
        widgets = {
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "qq": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {"mobile": _("中国大陆手机号，11 位")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = editable_units(user)
        if self.instance.pk and self.instance.unit_id:
            units = units | Unit.objects.filter(pk=self.instance.unit_id)
        self.fields["unit"].queryset = units.order_by("name_pinyin")
        self.fields["cadre_level"].choices = [("", _("未登记")), *CadreLevel.choices]

    def clean_mobile(self):
        value = normalize_phone(self.cleaned_data.get("mobile", ""))
        validate_mobile(value)
        return value

    def clean_qq(self):
        return (self.cleaned_data.get("qq") or "").strip()
