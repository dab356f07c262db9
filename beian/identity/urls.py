"""Sign-on routes. `logout/` is included before the users app's and takes over its name:
one logout for local and sign-on sessions (see views.logout)."""

from django.urls import include, path

from . import views

identity_patterns = [
    path("cas/login/", views.CASLoginView.as_view(), name="cas_login"),
    path("no-role/", views.no_role, name="no_role"),
]

urlpatterns = [
    path("logout/", views.logout, name="logout"),
    path("identity/", include((identity_patterns, "identity"))),
    path("oidc/authenticate/", views.OIDCStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", views.OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]
