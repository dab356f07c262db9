"""Two things the protocol libraries cannot do themselves: show a clear page when a
leaver's sign-in is refused (whichever library's view was running), and send a signed-on
user who has no role yet from the home page to the page that says whom to ask."""

from django.shortcuts import redirect, render
from django.urls import reverse

from .services import NO_ROLE_SESSION_KEY, REFUSAL_ATTRIBUTE


class IdentityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(NO_ROLE_SESSION_KEY):
            user = request.user
            if not user.is_authenticated or user.is_superuser or user.role_set:
                session.pop(NO_ROLE_SESSION_KEY, None)
            elif request.path == reverse("home"):
                return redirect("identity:no_role")
        response = self.get_response(request)
        refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
        if refusal is not None:
            return render(request, "identity/refused.html", refusal, status=403)
        return response
