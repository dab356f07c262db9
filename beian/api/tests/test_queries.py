"""Each list answers in a fixed number of queries, whatever the page holds (5 rows or 50):
no N+1 through units, platforms, heads, targets or teams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beian.compliance.models import Finding
from beian.registry.models import AccountMember, GroupMember
from beian.testing import make_account, make_group, make_person, make_unit


def _accounts(cast, n):
    for _ in range(n):
        make_account(unit=cast.lit, guiding_unit=cast.cs, team=[("operator", cast.lit_teacher)])


def _groups(cast, n):
    for _ in range(n):
        make_group(unit=cast.lit, admins=[cast.lit_teacher], creator=cast.lit_student)


def _units(cast, n):
    for _ in range(n):
        make_unit(parent=cast.lit, head=cast.lit_teacher)


def _people(cast, n):
    for _ in range(n):
        make_person(unit=cast.lit, mobile="13900002222")


def _findings(cast, n):
    now = timezone.now()
    for i in range(n):
        target = (
            {"account": make_account(unit=cast.lit)}
            if i % 2
            else {"group": make_group(unit=cast.lit)}
        )
        Finding.objects.create(
            rule="r",
            severity="warning",
            owner_unit=cast.lit,
            message="m",
            first_seen=now,
            last_seen=now,
            **target,
        )


def _account_team(cast, n):
    for _ in range(n):
        person = make_person(unit=cast.cs, mobile="13900003333")
        AccountMember.objects.create(record=cast.lit_account, role="reviewer", person=person)


def _group_team(cast, n):
    for _ in range(n):
        person = make_person(unit=cast.cs, mobile="13900003333")
        GroupMember.objects.create(record=cast.lit_group, role="admin", person=person)


CASES = {
    # name: (route, the cast's object for a detail route, how to add rows)
    "accounts": ("api:account-list", None, _accounts),
    "groups": ("api:group-list", None, _groups),
    "units": ("api:unit-list", None, _units),
    "people": ("api:person-list", None, _people),
    "findings": ("api:finding-list", None, _findings),
    "account team": ("api:account-detail", "lit_account", _account_team),
    "group team": ("api:group-detail", "lit_group", _group_team),
}
#: The operator sees only their own teams' records (and no more units or people).
OPERATOR_CASES = {"accounts", "groups", "account team", "group team"}
RUNS = [
    (case, username)
    for case in CASES
    for username in ("school_admin", "lit_unit_admin", "lit_operator")
    if username != "lit_operator" or case in OPERATOR_CASES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "username"), RUNS)
def test_query_count_does_not_grow_with_the_rows(
    cast, api, django_assert_num_queries, case, username
):
    route, attr, add = CASES[case]
    url = reverse(route, args=[getattr(cast, attr).pk] if attr else [])
    client = api(getattr(cast, username))
    add(cast, 5)
    with CaptureQueriesContext(connection) as five:
        first = client.get(url, {"page_size": 200})
    assert first.status_code == 200
    add(cast, 45)
    with django_assert_num_queries(len(five.captured_queries)):
        second = client.get(url, {"page_size": 200})
    if attr:
        assert len(second.json()["team"]) >= 50
    else:
        assert second.json()["count"] >= 50
