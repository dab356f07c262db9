"""The OpenAPI description: generated without a warning, valid OpenAPI 3, served to
signed-in users only, and saying what the endpoints really answer."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

PATHS = {
    "/api/accounts/",
    "/api/accounts/{id}/",
    "/api/groups/",
    "/api/groups/{id}/",
    "/api/units/",
    "/api/units/{id}/",
    "/api/people/",
    "/api/people/{id}/",
    "/api/findings/",
    "/api/platforms/",
    "/api/campaigns/",
    "/api/campaigns/{id}/",
    "/api/campaign-tasks/",
    "/api/campaign-tasks/{id}/",
    "/api/schema/",
    "/api/filings/",
    "/api/filings/{id}/",
    "/api/filings/{id}/submit/",
    "/api/accounts/{id}/activity/",
    "/api/imports/",
    "/api/imports/{key}/",
    "/api/imports/{key}/commit/",
    "/api/campaign-tasks/{id}/confirm/",
    "/api/campaign-tasks/{id}/checklist/",
    "/api/campaign-tasks/{id}/submit/",
}
#: The write endpoints and their methods (everything else answers GET only).
WRITES = {
    "/api/filings/": {"get", "post"},
    "/api/filings/{id}/submit/": {"post"},
    "/api/accounts/{id}/activity/": {"post"},
    "/api/imports/": {"post"},
    "/api/imports/{key}/commit/": {"post"},
    "/api/campaign-tasks/{id}/confirm/": {"post"},
    "/api/campaign-tasks/{id}/checklist/": {"post"},
    "/api/campaign-tasks/{id}/submit/": {"post"},
}


@pytest.fixture
def schema():
    reset_generator_stats()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "the schema generator warned; see the output above"
    return generated


def test_schema_is_valid_openapi_without_warnings(schema):
    validate_schema(schema)
    assert set(schema["paths"]) >= PATHS
    for path in PATHS:
        assert set(schema["paths"][path]) == WRITES.get(path, {"get"}), path


def test_every_write_is_documented_with_a_summary_and_tokens_as_a_scheme(schema):
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    for path, methods in WRITES.items():
        for method in methods - {"get"}:
            operation = schema["paths"][path][method]
            assert operation.get("summary"), path
            assert "400" in operation["responses"], path


def test_schema_names_each_choice_set(schema):
    components = schema["components"]["schemas"]
    for name in ("AccountStatusEnum", "GroupStatusEnum", "PersonStatusEnum", "TierEnum"):
        assert "enum" in components[name], name
    assert components["TierEnum"]["type"] == "integer"
    assert "`closed` - 已注销" in components["AccountStatusEnum"]["description"]


def test_schema_lists_the_pages_filters(schema):
    params = {p["name"] for p in schema["paths"]["/api/accounts/"]["get"]["parameters"]}
    assert {"unit", "platform", "q", "tier", "status", "verified", "page", "page_size"} <= params
    verified = next(
        p for p in schema["paths"]["/api/accounts/"]["get"]["parameters"] if p["name"] == "verified"
    )
    assert verified["schema"] == {"type": "string", "enum": ["no", "yes"]}


def test_the_management_command_validates_and_fails_on_no_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/accounts/{id}/" in out.read_text()


@pytest.mark.django_db
def test_schema_is_served_to_signed_in_users_as_yaml_or_json(cast, api):
    assert api().get(reverse("api:schema")).status_code == 403
    client = api(cast.nobody)
    yaml = client.get(reverse("api:schema"), HTTP_ACCEPT="*/*")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi: 3")
    as_json = client.get(reverse("api:schema"), {"format": "json"})
    assert json.loads(as_json.content)["info"]["title"] == "Beian API"
