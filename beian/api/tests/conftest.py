import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Per-token limits count by token id, and ids come again after each test's rollback:
    a test starts with no requests counted (the fuzzing sends hundreds in a minute)."""
    cache.clear()
    yield


@pytest.fixture
def api(db):
    """`api(user)`: a client signed in as `user` (None: anonymous) asking for JSON."""

    def client_for(user=None) -> Client:
        client = Client(HTTP_ACCEPT="application/json")
        if user is not None:
            client.force_login(user)
        return client

    return client_for


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}
