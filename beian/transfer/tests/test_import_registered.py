"""`[filing] groups_require_filing` and the sheet import of groups: under that policy a group
becomes 已报备 only through an approved group filing. The group sheet (seed 002 附件3) has
no 已报备 column, so a sheet can never mark a group registered: a 已报备 column a unit adds
is not read, and the registry's bulk upsert — the imports' one write path — refuses a batch
that would tick it, as `group_create` / `group_update` refuse it by hand."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from beian.registry.authority import Authority
from beian.registry.bulk import groups_bulk_upsert
from beian.registry.models import ChatGroup
from beian.testing import platform

from .conftest import GROUP_HEADER, commit, errors, preview, xlsx

pytestmark = pytest.mark.django_db

POLICY_ON = "[filing]\ngroups_require_filing = true\n"
POLICY_OFF = "[filing]\ngroups_require_filing = false\n"
HEADER = [*GROUP_HEADER, "已报备"]
ROWS = [
    [1, "计算机学院", "微信群", "计算机学院教职工群", "工作", 20, "无", "", "", "", "", "是"],
    [2, "计算机学院", "QQ群", "计院新建群", "工作", 30, "无", "", "", "", "", "是"],
]


@pytest.mark.parametrize("policy", [POLICY_ON, POLICY_OFF])
def test_a_sheets_yes_in_a_registered_column_never_marks_a_group_registered(
    cast, policy_file, policy
):
    policy_file(policy)
    plan = preview(cast.cs_unit_admin, "groups", xlsx(HEADER, ROWS))
    assert errors(plan) == []
    assert all(c.field != "registered" for r in plan.rows for c in r.changes)
    outcome = commit(cast.cs_unit_admin, "groups", xlsx(HEADER, ROWS))
    assert outcome.written["created"] == 1
    assert not ChatGroup.objects.filter(registered=True).exists()


def test_a_registered_group_stays_registered_after_an_import(cast, policy_file):
    policy_file(POLICY_ON)
    ChatGroup.objects.filter(pk=cast.cs_group.pk).update(registered=True)  # as a filing left it
    rows = [
        [1, "计算机学院", "微信群", "计算机学院教职工群", "工作", 45, "无", "", "", "", "", "是"]
    ]
    outcome = commit(cast.cs_unit_admin, "groups", xlsx(HEADER, rows))
    assert outcome.written["updated"] == 1
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.registered is True and cast.cs_group.member_count == 45


def _new_group(cast, **kw):
    return {
        "name": "计院新建群",
        "group_number": "",
        "owner_unit_id": cast.cs.pk,
        "platform_id": platform("qq_group").pk,
        "member_count": 30,
        **kw,
    }


def test_bulk_upsert_refuses_an_import_that_ticks_registered_under_the_policy(cast, policy_file):
    policy_file(POLICY_ON)
    batch = Authority.import_batch("upload.xlsx")
    with pytest.raises(ValidationError) as exc, transaction.atomic():
        groups_bulk_upsert(
            actor=cast.school_admin, authority=batch, create=[_new_group(cast, registered=True)]
        )
    assert "报备申请" in exc.value.message_dict["registered"][0]
    with pytest.raises(ValidationError), transaction.atomic():
        groups_bulk_upsert(
            actor=cast.school_admin,
            authority=batch,
            update=[(cast.cs_group.pk, {"registered": True, "member_count": 99})],
        )
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.registered is False and cast.cs_group.member_count == 20
    assert not ChatGroup.objects.filter(name="计院新建群").exists()

    # an already registered group may keep its 已报备; a filing's approval may set it
    registered = ChatGroup.objects.filter(pk=cast.lit_group.pk)
    registered.update(registered=True)
    groups_bulk_upsert(
        actor=cast.school_admin,
        authority=batch,
        update=[(cast.lit_group.pk, {"registered": True, "member_count": 12})],
    )
    groups_bulk_upsert(
        actor=cast.school_admin,
        authority=Authority.filing(),
        update=[(cast.cs_group.pk, {"registered": True})],
    )
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.registered is True


def test_bulk_upsert_lets_an_import_tick_registered_without_the_policy(cast, policy_file):
    policy_file(POLICY_OFF)
    outcome = groups_bulk_upsert(
        actor=cast.school_admin,
        authority=Authority.import_batch("upload.xlsx"),
        create=[_new_group(cast, registered=True)],
        update=[(cast.cs_group.pk, {"registered": True})],
    )
    assert ChatGroup.objects.get(pk=outcome.created[0]).registered is True
    cast.cs_group.refresh_from_db()
    assert cast.cs_group.registered is True
