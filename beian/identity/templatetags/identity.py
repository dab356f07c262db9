"""`{% sso_button %}`: the school's sign-on button at the top of the login page, when a
CAS server or an OpenID Connect provider is configured."""

from django import template
from django.conf import settings
from django.urls import reverse

from beian.core.policy import get_policy

register = template.Library()


@register.inclusion_tag("identity/sso_button.html", takes_context=True)
def sso_button(context):
    protocol = getattr(settings, "BEIAN_SSO_PROTOCOL", "")
    backends = settings.AUTHENTICATION_BACKENDS
    url = ""
    if protocol == "cas" and "beian.identity.backends.CASBackend" in backends:
        url = reverse("identity:cas_login")
    elif protocol == "oidc" and "beian.identity.backends.OIDCBackend" in backends:
        url = reverse("oidc_authentication_init")
    next_url = context.get("next") or ""
    label = getattr(settings, "BEIAN_SSO_LABEL", "")
    if not label:
        policy = get_policy()
        label = policy.identity.button_label
    return {
        "sso_url": url,
        "sso_label": label,
        "next": next_url,
        "ldap": "beian.identity.backends.LDAPBackend" in backends,
    }
