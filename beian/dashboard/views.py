"""The home page (工作台): the user's roles, their scope in numbers and what needs
attention; and the dashboard (数据看板): the scope in charts, each with its table, links
to the filtered lists, and its table as an Excel download."""

import io

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.compliance import selectors as compliance
from beian.compliance.choices import FindingState, Severity
from beian.compliance.models import Finding
from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.permissions import get_visible_or_404
from beian.core.sheets import write_xlsx
from beian.core.views import require
from beian.filings.selectors import pending_counts
from beian.orgs.models import Unit

from . import charts
from .selectors import home_overview

#: Seconds a dashboard is kept per scope (the whole school, or one user's), unit and day:
#: at 200,000 accounts one computation takes a few hundred milliseconds on SQLite.
CACHE_SECONDS = 60
#: Records on the unit dashboard's to-do list (the full list is compliance's 整改待办).
TODO_ITEMS = 8


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "dashboard/home.html",
        {
            "overview": home_overview(user),
            "pending": pending_counts(user),
            "findings": open_findings_by_severity(user),
            "roles": user.role_assignments,
            "nav": "home",
        },
    )


def open_findings_by_severity(user) -> list[tuple[str, str, int]]:
    """(severity, label, count) of the open findings in the user's scope, worst first."""
    counts = dict(
        Finding.objects.visible_to(user)
        .filter(state=FindingState.OPEN)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(s.value, s.label, counts.get(s.value, 0)) for s in reversed(Severity)]


def _dashboard(request) -> charts.Dashboard:
    """The dashboard of the user's scope, or of `?unit=` (a unit the user may see, 404
    otherwise); users without a role get 403."""
    user = request.user
    require(user.is_superuser or bool(user.role_set))
    unit = None
    if request.GET.get("unit"):
        unit = get_visible_or_404(Unit, user, pk=request.GET["unit"])
    if not CACHE_SECONDS:
        return charts.build(user, unit=unit)
    scope = "school" if user.sees_everything else f"user{user.pk}"
    key = f"beian:dashboard:{scope}:{unit.pk if unit else ''}:{timezone.localdate()}"
    return cache.get_or_set(key, lambda: charts.build(user, unit=unit), CACHE_SECONDS)


@login_required
def dashboard(request):
    board = _dashboard(request)
    user = request.user
    todo_page, todo_items = None, []
    if board.unit is not None or not user.sees_everything:
        unit_ids = Unit.objects.subtree_ids([board.unit.pk]) if board.unit else None
        todo_page, todo_items = compliance.todo(user=user, unit_ids=unit_ids, per_page=TODO_ITEMS)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "board": board,
            "charts": [c for c in board.charts if not c.is_empty],
            "empty_charts": [c for c in board.charts if c.is_empty],
            "specs": board.specs,
            "units": Unit.objects.visible_to(user).order_by("name").only("pk", "name"),
            "todo_page": todo_page,
            "todo_items": todo_items,
            "nav": "dashboard",
        },
    )


@login_required
def dashboard_export(request, chart: str):
    """One chart's table as .xlsx (same scope as the page; no cell can run as a formula);
    audited with the chart, the unit and the row count."""
    board = _dashboard(request)
    found = board.chart(chart)
    if found is None:
        raise Http404
    rows = found.sheet_rows()
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        title_rows=[
            f"{found.title}（{board.scope_label}）",
            _("统计于 %(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        ],
        header=[str(label) for label in found.header],
        rows=rows,
        remarks=[_("说明：%(note)s") % {"note": found.note}] if found.note else (),
        sheet_name=found.title[:31],
        submitter_line=None,
    )
    audit(
        event=AuditEventType.EXPORT,
        actor=request.user,
        request=request,
        detail={
            "what": "dashboard_chart",
            "chart": chart,
            "unit": board.unit.pk if board.unit else None,
            "rows": len(rows),
        },
    )
    buffer.seek(0)
    name = f"{found.title}-{board.scope_label}-{timezone.localdate():%Y%m%d}.xlsx"
    for ch in '/\\:*?"<>|：':
        name = name.replace(ch, "-")
    return FileResponse(buffer, as_attachment=True, filename=name)
