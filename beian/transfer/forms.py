"""The import form: what kind of records, for which unit, and the file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beian.core.forms import StyledFormMixin
from beian.registry.selectors import writable_units

from .layouts import KIND_LABELS
from .services import max_upload_bytes


class ImportForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=list(KIND_LABELS.items()))
    unit = forms.ModelChoiceField(
        label=_("导入到单位"),
        queryset=None,
        required=False,
        help_text=_("可选：表中“管理单位”为空的行记入此单位；其他单位的行将报错"),
    )
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或 CSV 文件"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = writable_units(user).order_by("name")
        self.fields["unit"].empty_label = _("（按表中填写的单位）")
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,.xls,.ods,.csv,.xlsm,application/vnd.ms-excel,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
        )
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _(
            "Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或 CSV 文件，不超过 %(mb)s MB"
        ) % {"mb": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大：%(size).1f MB，上限 %(limit)s MB")
                % {"size": upload.size / 1024 / 1024, "limit": limit // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        return upload
