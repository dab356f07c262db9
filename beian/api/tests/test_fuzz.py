"""Property-based requests generated from the OpenAPI schema (schemathesis, in process
against the WSGI application, authenticated with a token): whatever the inputs, no
endpoint answers 500. A bounded number of examples per operation keeps it under a minute."""

import contextlib
import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings

from beian.api import services
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


@pytest.mark.usefixtures("_connection_kept")
@pytest.mark.parametrize("role", ["school_admin", "cs_unit_admin"])
def test_no_generated_request_makes_a_server_error(cast, role, settings_=None):
    from django.conf import settings as dj

    dj.BEIAN_API_TOKEN_RATE = dj.BEIAN_API_WRITE_RATE = "1000000/m"
    _, secret = services.token_create(actor=getattr(cast, role), name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = _schema()
    failures, seen = [], 0
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
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}")
            assert response.status_code < 500

        with contextlib.suppress(AssertionError):  # collected in `failures`
            run()
    del dj.BEIAN_API_TOKEN_RATE, dj.BEIAN_API_WRITE_RATE
    assert seen >= 20
    assert not failures, "\n".join(sorted(set(failures))[:20])
