"""People of the test identity provider: IDP_PEOPLE is a JSON file
{"username": {"password": "...", "attributes": {"cn": "...", "deptCode": "...", ...}}}."""

import json
import os

from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict:
    with open(os.environ["IDP_PEOPLE"], encoding="utf-8") as handle:
        return json.load(handle)


def attributes_of(username: str) -> dict:
    return dict(people().get(username, {}).get("attributes", {}))


def cas_attributes(user, service):
    """mama_cas callback: the attributes released with a service ticket."""
    return attributes_of(user.get_username())


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # release every claim below, whatever the scopes

    def get_additional_claims(self, request):
        username = request.user.get_username()
        return {"preferred_username": username, **attributes_of(username)}
