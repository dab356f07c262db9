"""Every API route of the permission matrix answers a token exactly as it answers the
session of the token's owner (the rows of `EXPECTED`), reads and writes alike."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from beian.api import services
from beian.tests.matrix import PROBES, ROLES, World, _resolve
from beian.tests.test_permission_matrix import EXPECTED

#: HTML pages under /api/ sign in with the session only.
PAGES = {
    "api:token_list",
    "api:token_revoke",
    "api:service_account_list",
    "api:service_account_detail",
}
API_PROBES = [p for p in PROBES if p.route.startswith("api:") and p.route not in PAGES]


@pytest.mark.django_db
def test_tokens_answer_as_the_sessions_of_their_owners(settings):
    settings.BEIAN_API_TOKEN_RATE = "100000/m"
    settings.BEIAN_API_WRITE_RATE = "100000/m"
    world = World()
    secrets = {
        role: services.token_create(actor=getattr(world.cast, role), name="矩阵")[1]
        for role in ROLES
        if role != "anonymous"
    }
    wrong = []
    for probe in API_PROBES:
        args = [_resolve(world, a) if isinstance(a, str) else a for a in probe.args]
        url = reverse(probe.route, args=[getattr(a, "pk", a) for a in args])
        got = []
        for role in ROLES:
            headers = {"HTTP_AUTHORIZATION": f"Bearer {secrets[role]}"} if role in secrets else {}
            client = Client(enforce_csrf_checks=True, **headers)
            with transaction.atomic():
                response = getattr(client, probe.method)(url, probe.data or {})
                transaction.set_rollback(True)
            got.append(response.status_code)
        if tuple(got) != EXPECTED[probe.key]:
            wrong.append(f"{probe.key}: token {tuple(got)} session {EXPECTED[probe.key]}")
    assert len(API_PROBES) > 30
    assert not wrong, "\n".join(wrong)
