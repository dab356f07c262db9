"""Token authentication on every API view (issue 13): the REST framework's defaults carry
the token class beside the session, so the API's own views and the apps' (the publication's
/api/v1/validity/, the inspections API) accept a valid token, refuse a revoked or expired
one, and limit requests per token. A person who has left (离职 / 毕业) is refused by token
as at the login form."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beian.api import services
from beian.core.models import AuditEvent
from beian.orgs.models import Person
from beian.publication import services as publication
from beian.tests.urlconf import named_routes

pytestmark = pytest.mark.django_db

#: API views read without an argument: the lists, the schema, the validity check (the
#: writes and details by token: test_token_matrix.py, every row of the matrix).
GET_ROUTES = sorted(
    r
    for r in named_routes()
    if r.startswith("api:") and r.endswith("-list") and r != "api:import-list"  # POST only
) + ["api:schema", "validity"]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT="application/json")


def get(client, route):
    data = {"url": "https://weibo.com/u/1"} if route == "validity" else {}
    return client.get(reverse(route), data)


@pytest.fixture
def token_validity(cast):
    """The validity endpoint for token holders only, as `[publication] validity = "token"`."""
    publication.publication_settings_update(
        root=cast.school, actor=cast.school_admin, validity="token"
    )
    return cast


def test_every_api_view_accepts_a_valid_token_and_refuses_a_revoked_or_expired_one(
    token_validity,
):
    cast = token_validity
    assert {"api:inspection-form-list", "api:inspection-grade-list"} <= set(GET_ROUTES)
    token, secret = services.token_create(actor=cast.school_admin, name="脚本", days=1)
    for route in GET_ROUTES:
        assert get(bearer(secret), route).status_code == 200, route
        assert get(Client(), route).status_code in (401, 403), route  # nothing without it
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        for route in GET_ROUTES:
            expired = get(bearer(secret), route)
            assert expired.status_code == 401, route
            assert expired["WWW-Authenticate"].startswith("Bearer"), route
    services.token_revoke(actor=cast.school_admin, token=token)
    for route in GET_ROUTES:
        revoked = get(bearer(secret), route)
        assert revoked.status_code == 401, route
        assert "令牌无效" in revoked.json()["detail"], route


def test_the_validity_check_by_token_is_limited_per_token(token_validity, settings):
    cast = token_validity
    settings.BEIAN_API_TOKEN_RATE = "2/m"
    _, first = services.token_create(actor=cast.auditor, name="网络中心")
    _, second = services.token_create(actor=cast.auditor, name="网络中心备用")
    codes = [get(bearer(first), "validity").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert get(bearer(second), "validity").status_code == 200  # another token's own limit
    # the inspections API is limited per token the same way
    _, third = services.token_create(actor=cast.auditor, name="年检")
    codes = [get(bearer(third), "api:inspection-form-list").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def leave(person: Person, status: str) -> None:
    Person.objects.filter(pk=person.pk).update(status=status)


@pytest.mark.parametrize("status", ["graduated", "left"])
def test_the_token_of_someone_who_has_left_is_refused_and_audited(cast, status):
    _, secret = services.token_create(actor=cast.lit_operator, name="脚本")
    assert get(bearer(secret), "api:account-list").status_code == 200
    leave(cast.lit_teacher, status)
    for _ in range(3):
        refused = get(bearer(secret), "api:account-list")
        assert refused.status_code == 401
    refusals = AuditEvent.objects.filter(detail__reason="person_left", detail__via="api_token")
    assert refusals.count() == 1  # once an hour, not at every retry
    assert refusals.get().success is False
