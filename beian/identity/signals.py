"""Marks a session as signed on through the school's identity (for the logout view, the
one-time-password middleware and the no-role page)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import AUTH_KIND_SESSION_KEY, NO_ROLE_SESSION_KEY, PROTOCOL_SESSION_KEY


@receiver(user_logged_in)
def remember_sign_on(sender, request, user, **kwargs):
    protocol = getattr(request, "beian_identity_protocol", None) if request else None
    if not protocol or not hasattr(request, "session"):
        return
    request.session[AUTH_KIND_SESSION_KEY] = "sso"
    request.session[PROTOCOL_SESSION_KEY] = protocol
    if not user.is_superuser and not user.role_set:
        request.session[NO_ROLE_SESSION_KEY] = True
