import pytest
from django.test import Client


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
