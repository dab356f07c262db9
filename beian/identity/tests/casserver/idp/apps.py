from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdpConfig(AppConfig):
    name = "idp"

    def ready(self):
        post_migrate.connect(_seed_client)  # idp has no models: listen for oauth2_provider's


def _seed_client(sender, **kwargs):
    if sender.label != "oauth2_provider":
        return
    from django.conf import settings
    from oauth2_provider.models import Application

    Application.objects.update_or_create(
        client_id=settings.OIDC_CLIENT_ID,
        defaults={
            "name": "Beian",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "client_secret": settings.OIDC_CLIENT_SECRET,
            "hash_client_secret": False,
            "redirect_uris": settings.BEIAN_URL + "/oidc/callback/",
            "post_logout_redirect_uris": settings.BEIAN_URL + "/login/",
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
