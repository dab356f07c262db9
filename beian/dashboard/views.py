"""The home page (工作台): the user's roles, their scope in numbers and what needs
attention."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

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
            "roles": user.role_assignments,
            "nav": "home",
        },
    )
