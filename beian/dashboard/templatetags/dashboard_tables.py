"""The body of a chart's table, written in one pass: a school-wide dashboard has a few
thousand cells (every unit, every status), and rendering them through nested template
loops and filters took a third of the page's time. The markup and the number formats are
those of the template it replaces (`intcomma`, `floatformat:1`)."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def chart_tbody(chart) -> str:
    """The <tr> rows of `chart.rows`: the category as a row header, the numbers right
    aligned, each linked to its filtered list when it has one and is not zero."""
    numbers: dict = {}  # the same counts recur: each formatted once

    def number(value) -> str:
        key = (type(value), value)
        if key not in numbers:
            numbers[key] = conditional_escape(intcomma(value))
        return numbers[key]

    share_columns = len(chart.series) if chart.percent else 0
    out = []
    for row in chart.rows:
        category, url = row[0]
        label = conditional_escape(category)
        if url:
            label = f'<a href="{conditional_escape(url)}">{label}</a>'
        cells = [f'<tr><th scope="row" class="fw-normal">{label}</th>']
        for index, (value, url) in enumerate(row[1:], start=1):
            if index <= share_columns:
                shown = f"{conditional_escape(floatformat(value, 1))}%"
            else:
                shown = number(value)
            if url and value:
                shown = f'<a href="{conditional_escape(url)}">{shown}</a>'
            cells.append(f'<td class="text-end beian-nowrap">{shown}</td>')
        cells.append("</tr>")
        out.append("".join(cells))
    return mark_safe("\n".join(out))  # noqa: S308  (every value above is escaped)
