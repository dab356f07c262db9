"""The home page (工作台): the user's roles, their scope in numbers and what needs
attention."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from beian.compliance.choices import FindingState, Severity
from beian.compliance.models import Finding
from beian.filings.selectors import pending_counts

from .selectors import home_overview


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
