import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent
from beian.orgs.models import Person, Unit
from beian.testing import make_person, make_unit

ALL_USERS = (
    "school_admin",
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
    "nobody",
)


def _status_by_user(client, cast, url):
    statuses = {}
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and REDIRECT_FIELD_NAME in response.url
    for name in ALL_USERS:
        client.force_login(getattr(cast, name))
        statuses[name] = client.get(url).status_code
    return statuses


# What each user gets on each page of a unit of 计算机学院 (cs) and a person in it.
IN_CS_READ = {
    "school_admin": 200,
    "leader": 200,
    "league_approver": 404,
    "cs_unit_admin": 200,
    "lit_unit_admin": 404,
    "lit_operator": 404,
    "auditor": 200,
    "nobody": 404,
}
IN_CS_WRITE = {
    "school_admin": 200,
    "leader": 403,
    "league_approver": 404,
    "cs_unit_admin": 200,
    "lit_unit_admin": 404,
    "lit_operator": 404,
    "auditor": 403,
    "nobody": 404,
}
CREATE = {
    "school_admin": 200,
    "leader": 403,
    "league_approver": 403,
    "cs_unit_admin": 200,
    "lit_unit_admin": 200,
    "lit_operator": 403,
    "auditor": 403,
    "nobody": 403,
}
LIST = dict.fromkeys(ALL_USERS, 200)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "target", "expected"),
    [
        ("orgs:unit_list", None, LIST),
        ("orgs:person_list", None, LIST),
        ("orgs:unit_detail", "se", IN_CS_READ),
        ("orgs:unit_update", "se", IN_CS_WRITE),
        ("orgs:unit_create", None, CREATE),
        ("orgs:person_detail", "cs_head", IN_CS_READ),
        ("orgs:person_update", "cs_head", IN_CS_WRITE),
        ("orgs:person_create", None, CREATE),
    ],
)
def test_permission_matrix(client, cast, url_name, target, expected):
    args = [getattr(cast, target).pk] if target else []
    assert _status_by_user(client, cast, reverse(url_name, args=args)) == expected


@pytest.mark.django_db
def test_missing_objects_are_404_like_objects_out_of_scope(client, cast):
    client.force_login(cast.school_admin)
    assert client.get(reverse("orgs:unit_detail", args=[99999])).status_code == 404
    assert client.get(reverse("orgs:person_detail", args=[99999])).status_code == 404


@pytest.mark.django_db
def test_operator_sees_their_own_record_and_unit(client, cast):
    client.force_login(cast.lit_operator)
    assert client.get(reverse("orgs:person_detail", args=[cast.lit_teacher.pk])).status_code == 200
    assert client.get(reverse("orgs:unit_detail", args=[cast.lit.pk])).status_code == 200
    assert client.get(reverse("orgs:person_update", args=[cast.lit_teacher.pk])).status_code == 403


# --- unit list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_unit_list_shows_the_scope_with_counts(client, cast):
    client.force_login(cast.cs_unit_admin)
    response = client.get(reverse("orgs:unit_list"))
    rows = {u.name: u for u in response.context["table"].data}
    assert set(rows) == {"计算机学院", "软件工程系"}
    assert rows["计算机学院"].account_count == 1
    assert rows["计算机学院"].group_count == 1
    assert rows["软件工程系"].account_count == 1
    assert rows["软件工程系"].tree_depth == 2
    content = response.content.decode()
    assert "张书记" in content
    assert reverse("orgs:unit_create") in content


@pytest.mark.django_db
def test_unit_list_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast.school_admin)
    client.get(reverse("orgs:unit_list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("orgs:unit_list"))
    for i in range(15):
        unit = make_unit(f"新学院{i}", parent=cast.school)
        unit.head = make_person(unit=unit)
        unit.save()
        make_unit(f"新系{i}", kind="division", parent=unit)
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("orgs:unit_list"))
    assert response.status_code == 200
    assert len(after) == len(before)


@pytest.mark.django_db
def test_unit_list_sorts_by_counts_and_names(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("orgs:unit_list"), {"sort": "-account_count"})
    names = [u.name for u in response.context["table"].data]
    assert names[0] in {"计算机学院", "软件工程系", "文学院"}
    assert [u.account_count for u in response.context["table"].data][:3] == [1, 1, 1]
    response = client.get(reverse("orgs:unit_list"), {"sort": "name"})
    names = [u.name for u in response.context["table"].data]
    assert names[:2] == ["党委宣传部", "华北水利水电大学"]  # by pinyin: dang, hua


@pytest.mark.django_db
def test_unit_list_search_and_filters(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("orgs:unit_list"), {"q": "計算機"})
    assert [u.name for u in response.context["table"].data] == ["计算机学院"]
    response = client.get(reverse("orgs:unit_list"), {"unit": cast.league.pk})
    assert {u.name for u in response.context["table"].data} == {"校团委", "校学生会"}


# --- unit detail -----------------------------------------------------------------------


@pytest.mark.django_db
def test_unit_detail_shows_path_children_counts_links_and_history(client, cast):
    client.force_login(cast.school_admin)
    response = client.get(reverse("orgs:unit_detail", args=[cast.cs.pk]))
    content = response.content.decode()
    overview = response.context["overview"]
    assert [u.name for u in overview.ancestors] == ["华北水利水电大学"]
    assert [u.name for u in overview.children] == ["软件工程系"]
    assert overview.people_count == 1
    assert (overview.account_count, overview.subtree_account_count) == (1, 2)
    assert (overview.people_count, overview.subtree_people_count) == (1, 1)
    assert (overview.group_count, overview.subtree_group_count) == (1, 1)
    assert f"{reverse('registry:account_list')}?unit={cast.cs.pk}" in content
    assert f"{reverse('registry:group_list')}?unit={cast.cs.pk}" in content
    assert "变更历史" in content
    assert reverse("orgs:unit_update", args=[cast.cs.pk]) in content


@pytest.mark.django_db
def test_unit_detail_hides_edit_for_readers(client, cast):
    client.force_login(cast.leader)
    content = client.get(reverse("orgs:unit_detail", args=[cast.cs.pk])).content.decode()
    assert reverse("orgs:unit_update", args=[cast.cs.pk]) not in content


# --- unit create / edit ----------------------------------------------------------------


@pytest.mark.django_db
def test_unit_admin_creates_a_unit_in_their_subtree(client, cast):
    client.force_login(cast.cs_unit_admin)
    form = client.get(reverse("orgs:unit_create") + f"?parent={cast.se.pk}").context["form"]
    assert set(form.fields["parent"].queryset) == {cast.cs, cast.se}
    assert "college" not in dict(form.fields["kind"].choices)
    assert set(form.fields["head"].queryset) == {cast.cs_head}
    assert form.initial["parent"] == cast.se.pk
    response = client.post(
        reverse("orgs:unit_create"),
        {"name": "软件工程一班", "kind": "class", "parent": cast.se.pk, "is_active": "on"},
    )
    unit = Unit.objects.get(name="软件工程一班")
    assert response.status_code == 302
    assert response.url == reverse("orgs:unit_detail", args=[unit.pk])
    assert AuditEvent.objects.filter(event=AuditEventType.CREATE, object_id=str(unit.pk)).exists()


@pytest.mark.django_db
def test_unit_admin_cannot_post_a_parent_outside_their_subtree(client, cast):
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("orgs:unit_create"), {"name": "中文系", "kind": "division", "parent": cast.lit.pk}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Unit.objects.filter(name="中文系").exists()


@pytest.mark.django_db
def test_unit_form_errors_are_shown_in_chinese(client, cast):
    client.force_login(cast.school_admin)
    response = client.post(
        reverse("orgs:unit_create"),
        {"name": "软件工程系", "kind": "division", "parent": cast.cs.pk},
    )
    assert response.status_code == 200
    assert "同一上级单位下已有同名单位" in response.content.decode()


@pytest.mark.django_db
def test_unit_edit(client, cast):
    client.force_login(cast.cs_unit_admin)
    url = reverse("orgs:unit_update", args=[cast.cs.pk])
    form = client.get(url).context["form"]
    assert cast.school in form.fields["parent"].queryset  # the current parent stays selectable
    assert cast.se not in form.fields["parent"].queryset  # never below itself
    assert "college" in dict(form.fields["kind"].choices)  # the current kind stays selectable
    response = client.post(
        url,
        {
            "name": "计算机学院",
            "short_name": "计科",
            "kind": "college",
            "parent": cast.school.pk,
            "head": cast.cs_head.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    cast.cs.refresh_from_db()
    assert cast.cs.short_name == "计科"
    event = AuditEvent.objects.get(event=AuditEventType.UPDATE, object_id=str(cast.cs.pk))
    assert event.detail["changes"] == {"short_name": ["计院", "计科"]}


# --- people ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_list_for_readers_has_no_personal_columns_and_no_audit(client, cast):
    client.force_login(cast.leader)
    response = client.get(reverse("orgs:person_list"))
    table = response.context["table"]
    assert "mobile" not in [c.name for c in table.columns]
    assert "13812341234" not in response.content.decode()
    assert not AuditEvent.objects.filter(event=AuditEventType.VIEW_PERSONAL_DATA).exists()


@pytest.mark.django_db
def test_person_list_with_personal_data_is_audited_as_a_bulk_view(client, cast):
    client.force_login(cast.lit_unit_admin)
    response = client.get(reverse("orgs:person_list"), {"kind": "staff"}, REMOTE_ADDR="10.0.0.7")
    table = response.context["table"]
    assert {"mobile", "email", "qq"} <= {c.name for c in table.columns}
    content = response.content.decode()
    assert "13900001111" in content
    assert "张书记" not in content  # out of scope
    event = AuditEvent.objects.get(event=AuditEventType.VIEW_PERSONAL_DATA)
    assert event.actor == cast.lit_unit_admin
    assert event.detail == {"filter": "kind=staff", "rows": 1}
    assert event.ip == "10.0.0.7"


@pytest.mark.django_db
def test_person_list_empty_page_writes_no_audit_row(client, cast):
    client.force_login(cast.school_admin)
    client.get(reverse("orgs:person_list"), {"q": "没有这个人"})
    assert not AuditEvent.objects.filter(event=AuditEventType.VIEW_PERSONAL_DATA).exists()


@pytest.mark.django_db
def test_person_list_query_count_does_not_grow_with_rows(client, cast):
    client.force_login(cast.school_admin)
    client.get(reverse("orgs:person_list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("orgs:person_list"))
    for i in range(20):
        make_person(unit=make_unit(f"学院{i}", parent=cast.school), mobile="13800001111")
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("orgs:person_list"))
    assert len(after) == len(before)


@pytest.mark.django_db
def test_person_detail_masks_personal_data_for_roles_without_need(client, cast):
    url = reverse("orgs:person_detail", args=[cast.lit_teacher.pk])
    client.force_login(cast.auditor)
    content = client.get(url).content.decode()
    assert "139****1111" in content and "13900001111" not in content
    assert "12****78" in content
    client.force_login(cast.lit_unit_admin)
    content = client.get(url).content.decode()
    assert "13900001111" in content and "li@ncwu.edu.cn" in content


@pytest.mark.django_db
def test_person_history_masks_personal_data_too(client, cast):
    from beian.orgs.services import person_update

    person_update(actor=cast.school_admin, person=cast.lit_teacher, data={"mobile": "13900002222"})
    client.force_login(cast.auditor)
    content = client.get(reverse("orgs:person_detail", args=[cast.lit_teacher.pk])).content.decode()
    assert "13900002222" not in content and "139****2222" in content


@pytest.mark.django_db
def test_person_create_validates_mobile_email_and_qq(client, cast):
    client.force_login(cast.cs_unit_admin)
    data = {
        "name": "孙老师",
        "number": "T777777",
        "kind": "staff",
        "unit": cast.se.pk,
        "status": "in_post",
        "mobile": "1380000",
        "email": "not-an-email",
        "qq": "0123",
    }
    response = client.post(reverse("orgs:person_create"), data)
    errors = response.context["form"].errors
    assert "不是有效的手机号码" in errors["mobile"][0]
    assert "email" in errors
    assert "QQ" in errors["qq"][0]
    data.update(mobile="138 0013 8000", email="sun@ncwu.edu.cn", qq="10001")
    response = client.post(reverse("orgs:person_create"), data)
    person = Person.objects.get(number="T777777")
    assert response.status_code == 302
    assert person.mobile == "13800138000"


@pytest.mark.django_db
def test_person_create_unit_choices_are_the_writable_units(client, cast):
    client.force_login(cast.cs_unit_admin)
    form = client.get(reverse("orgs:person_create")).context["form"]
    assert set(form.fields["unit"].queryset) == {cast.cs, cast.se}
    response = client.post(
        reverse("orgs:person_create"),
        {"name": "外人", "kind": "staff", "unit": cast.lit.pk, "status": "in_post"},
    )
    assert "unit" in response.context["form"].errors


@pytest.mark.django_db
def test_person_edit(client, cast):
    client.force_login(cast.lit_unit_admin)
    url = reverse("orgs:person_update", args=[cast.lit_student.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "王同学",
            "number": cast.lit_student.number,
            "kind": "student",
            "unit": cast.lit.pk,
            "status": "graduated",
            "post": "",
            "mobile": "",
            "email": "",
            "qq": "",
        },
    )
    assert response.status_code == 302
    cast.lit_student.refresh_from_db()
    assert cast.lit_student.status == "graduated"


@pytest.mark.django_db
def test_scoped_pages_do_not_link_to_units_out_of_scope(client, cast):
    client.force_login(cast.cs_unit_admin)
    school_url = reverse("orgs:unit_detail", args=[cast.school.pk])
    content = client.get(reverse("orgs:unit_list")).content.decode()
    assert school_url not in content
    assert "华北水利水电大学" in content  # the parent's name is shown, as text
    # the tree starts at the user's own root: 计算机学院 is not indented, 软件工程系 is
    cs_url, se_url = (reverse("orgs:unit_detail", args=[u.pk]) for u in (cast.cs, cast.se))
    assert f'└</span> <a href="{cs_url}"' not in content
    assert f'└</span> <a href="{se_url}"' in content
    detail = client.get(reverse("orgs:unit_detail", args=[cast.se.pk])).content.decode()
    assert reverse("orgs:unit_detail", args=[cast.cs.pk]) in detail
    assert school_url not in detail
