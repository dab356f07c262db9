"""The sign-on pages: the CAS login, the no-role page, and a logout that signs out of the
school's CAS server too (single logout) when the session came from there."""

from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_cas_ng import views as cas_views
from mozilla_django_oidc import views as oidc_views

from .services import PROTOCOL_SESSION_KEY, whom_to_ask


def _require_protocol(name: str) -> None:
    if name not in _enabled():
        raise Http404


def _enabled() -> set[str]:
    backends = settings.AUTHENTICATION_BACKENDS
    return {
        kind
        for kind, suffix in (("cas", "CASBackend"), ("oidc", "OIDCBackend"))
        if any(b.startswith("beian.identity.") and b.endswith(suffix) for b in backends)
    }


class CASLoginView(cas_views.LoginView):
    """Starts the CAS sign-on (redirect to the school's login page), takes the ticket back
    and receives the server's single-logout POST (hence no CSRF check, as in the library)."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        _require_protocol("cas")
        return super().dispatch(request, *args, **kwargs)


class OIDCStartView(oidc_views.OIDCAuthenticationRequestView):
    """Redirects to the provider's authorization endpoint."""

    def dispatch(self, request, *args, **kwargs):
        _require_protocol("oidc")
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        # The library reads its settings when the view is built; 404 first when unset.
        if "oidc" in _enabled():
            super().__init__(*args, **kwargs)


class OIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Takes the authorization code back; sign-in through backends.OIDCBackend."""

    def dispatch(self, request, *args, **kwargs):
        _require_protocol("oidc")
        return super().dispatch(request, *args, **kwargs)


@login_required
def no_role(request):
    if request.user.role_set or request.user.is_superuser:
        return redirect("home")
    return render(request, "identity/no_role.html", {"ask": whom_to_ask(request.user)})


@require_POST
def logout(request):
    """Logout for every session: a CAS session also ends at the CAS server (which then
    tells the other services), an OIDC one at the provider's end-session endpoint.

    The way out to the school's server is a page that moves on by itself (meta refresh)
    rather than a redirect: the logout is a form, and the site's CSP (form-action 'self')
    forbids a form's redirect to another origin."""
    protocol = request.session.get(PROTOCOL_SESSION_KEY)
    if protocol == "cas" and getattr(settings, "CAS_SERVER_URL", ""):
        response = cas_views.LogoutView.as_view()(request)
        return _leave(request, response["Location"])
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if protocol == "oidc" and endpoint:
        auth_logout(request)
        target = request.build_absolute_uri(reverse("login"))
        return _leave(request, f"{endpoint}?{urlencode({'post_logout_redirect_uri': target})}")
    return auth_views.LogoutView.as_view()(request)


def _leave(request, url: str):
    return render(request, "identity/leaving.html", {"url": url})
