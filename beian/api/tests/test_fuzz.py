"""Property-based requests generated from the OpenAPI schema (schemathesis, in process
against the WSGI application, authenticated with a token): whatever the inputs, no
endpoint answers 500. A bounded number of examples per operation keeps it under a minute.

The data behind it has an open campaign and an open inspection round, and every other
request of an operation on `/{id}/` names a record that exists and that the caller can
see (the first of its list), so the generated bodies reach the services, not only 404."""

import contextlib
import datetime as dt
import itertools
import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from werkzeug.test import Client as WsgiClient

from beian.api import services
from beian.campaigns import services as campaigns
from beian.campaigns.choices import SheetCode
from beian.inspections import services as inspections
from beian.registry.choices import FilingState
from beian.registry.models import MediaAccount
from beian.testing import connection_kept

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = 12


def _schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def _connection_kept():
    with connection_kept():
        yield


@pytest.fixture
def _rounds(cast):
    """An open campaign (a task per 二级单位) and an open inspection round (a form per
    registered account, a part per unit)."""
    campaign = campaigns.campaign_create(
        actor=cast.school_admin,
        owner_unit=cast.school,
        data={
            "title": "年度新媒体清查",
            "deadline": dt.date.today() + dt.timedelta(days=20),
            "sheets": [SheetCode.ACCOUNTS_PDSU],
        },
        checklist=["是否落实三审三校"],
    )
    campaigns.campaign_open(actor=cast.school_admin, campaign=campaign)
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    inspections.inspection_open(actor=cast.school_admin, owner_unit=cast.school)


def _visible_ids(schema, headers) -> dict[str, str]:
    """For each `/…/{id}/…` path, the id of the first record its list shows the caller
    (asked through the WSGI app as the fuzzing is: Django's test client would connect
    again the signal receiver that closes the test's connection)."""
    client = WsgiClient(schema.app)
    found: dict[str, str] = {}
    for result in schema.get_all_operations():
        path = result.ok().path
        if "{id}" not in path:
            continue
        listing = path.split("{id}")[0]
        if listing not in found:
            response = client.get(listing, headers=headers)
            body = json.loads(response.data) if response.status_code == 200 else {}
            rows = body.get("results", body) if isinstance(body, dict) else body
            found[listing] = str(rows[0]["id"]) if rows else ""
    return {listing: pk for listing, pk in found.items() if pk}


@pytest.mark.usefixtures("_connection_kept", "_rounds")
@pytest.mark.parametrize("role", ["school_admin", "cs_unit_admin"])
def test_no_generated_request_makes_a_server_error(cast, role, settings_=None):
    from django.conf import settings as dj

    dj.BEIAN_API_TOKEN_RATE = dj.BEIAN_API_WRITE_RATE = "1000000/m"
    _, secret = services.token_create(actor=getattr(cast, role), name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = _schema()
    real = _visible_ids(schema, headers)
    # the round's forms, parts and tasks are listed to both roles: the bodies reach them
    assert {"/api/inspection-forms/", "/api/campaign-tasks/", "/api/accounts/"} <= set(real)
    turn = itertools.count()
    failures, seen, reached = [], 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/schema/":
            continue
        seen += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # failures are listed, not shrunk
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal reached
            listing = case.path.split("{id}")[0]
            if listing in real and next(turn) % 2:
                case.path_parameters = {**(case.path_parameters or {}), "id": real[listing]}
            response = case.call(headers=headers)
            reached += response.status_code not in (401, 403, 404, 405)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}")
            assert response.status_code < 500

        with contextlib.suppress(AssertionError):  # collected in `failures`
            run()
    del dj.BEIAN_API_TOKEN_RATE, dj.BEIAN_API_WRITE_RATE
    assert seen >= 20 and reached > seen
    assert not failures, "\n".join(sorted(set(failures))[:20])
