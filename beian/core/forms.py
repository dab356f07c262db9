"""Form helpers: Tabler/Bootstrap classes on widgets, and year-month fields."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _


class StyledFormMixin:
    """Adds the CSS-kit classes to every widget, so templates render fields uniformly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.visible_fields():
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class YearMonthWidget(forms.TextInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return value


class YearMonthField(forms.DateField):
    """A year and month ("2019-03", "2019年3月", "2019.3"), stored as the first of the month."""

    widget = YearMonthWidget
    default_error_messages = {
        "invalid": _("请填写年月，例如 2019-03"),
        "future": _("年月不能晚于本月"),
    }
    _pattern = re.compile(r"^\s*(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*月?)?\s*$")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        match = self._pattern.match(str(value))
        if not match or not (1 <= int(match.group(2) or 1) <= 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        result = date(int(match.group(1)), int(match.group(2) or 1), 1)
        if result > date.today().replace(day=1) or result.year < 1990:
            raise forms.ValidationError(self.error_messages["future"], code="future")
        return result
