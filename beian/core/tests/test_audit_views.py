from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.core import auditchain
from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.core.models import AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("school_admin", 200),
        ("auditor", 200),
        ("leader", 403),
        ("league_approver", 403),
        ("cs_unit_admin", 403),
        ("lit_unit_admin", 403),
        ("lit_operator", 403),
        ("nobody", 403),
    ],
)
def test_only_school_admins_and_auditors_read_the_log(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("core:audit_list")).status_code == status


@pytest.mark.django_db
def test_the_log_has_no_way_to_write(client, cast):
    client.force_login(cast.school_admin)
    audit(event=AuditEventType.OTHER, actor=cast.school_admin)
    count = AuditEvent.objects.count()
    url = reverse("core:audit_list")
    assert client.post(url, {"event": "other"}).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert 'method="post"' not in client.get(url).content.decode().split("</header>", 1)[1]
    # Only the read itself is recorded (issue 9); nothing else was written.
    assert AuditEvent.objects.exclude(event=AuditEventType.AUDIT_READ).count() == count


def _event(at, **kw):
    kw.setdefault("event", AuditEventType.OTHER)
    return auditchain.append(at=at, **kw)


@pytest.mark.django_db
def test_newest_first_and_filters(client, cast):
    old = _event(datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI), actor_name="zhang", event="update")
    mid = _event(
        datetime(2026, 2, 1, 0, 30, tzinfo=SHANGHAI),
        actor_name="wang",
        event="login_failed",
        success=False,
        ip="10.0.0.9",
    )
    new = _event(
        datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), actor_name="zhangsan", event="export"
    )
    client.force_login(cast.auditor)
    url = reverse("core:audit_list")

    mine = {old.pk, mid.pk, new.pk}  # logging in wrote an event too

    def rows(**params):
        response = client.get(url, params)
        return [e.pk for e in response.context["table"].page.object_list.data if e.pk in mine]

    assert rows() == [new.pk, mid.pk, old.pk]
    assert rows(event="login_failed") == [mid.pk]
    assert rows(actor="zhang") == [new.pk, old.pk]
    assert rows(success="false") == [mid.pk]
    assert rows(success="true") == [new.pk, old.pk]
    # dates are the school's local dates (00:30 on 1 February in Shanghai is still 1 February)
    assert rows(since="2026-02-01", until="2026-02-01") == [mid.pk]
    assert rows(since="2026-02-01") == [new.pk, mid.pk]
    assert rows(until="2026-01-31") == [old.pk]


@pytest.mark.django_db
def test_rows_show_time_actor_event_result_ip_and_detail(client, cast):
    audit(
        event=AuditEventType.VIEW_PERSONAL_DATA,
        actor=cast.school_admin,
        detail={"filter": "kind=staff", "rows": 12},
    )
    _event(
        datetime(2026, 2, 1, 8, 0, tzinfo=SHANGHAI),
        actor_name="ghost",
        event="login_failed",
        success=False,
        ip="10.0.0.9",
    )
    client.force_login(cast.school_admin)
    content = client.get(reverse("core:audit_list")).content.decode()
    for text in (
        "批量查看个人信息",
        "school_admin",
        "kind=staff",
        "登录失败",
        "ghost",
        "10.0.0.9",
        "失败",
    ):
        assert text in content, text
    assert "2026-02-01 08:00:00" in content


@pytest.mark.django_db
def test_paginated_with_a_fixed_number_of_queries(client, cast):
    client.force_login(cast.school_admin)
    for i in range(5):
        audit(event=AuditEventType.OTHER, actor=cast.school_admin, detail={"i": i})
    client.get(reverse("core:audit_list"))  # the first read of the minute is recorded
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("core:audit_list"))
    for i in range(120):
        auditchain.append(event=AuditEventType.OTHER, actor_name=f"u{i}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("core:audit_list"), {"per_page": 25, "page": 2})
    assert len(after) == len(before)
    table = response.context["table"]
    assert table.paginator.count == AuditEvent.objects.count() >= 125
    assert len(table.page.object_list) == 25


# --- Chinese labels and a readable before / after ----------------------------------------


@pytest.mark.django_db
def test_audit_log_shows_chinese_labels_and_before_after(client, cast):
    from beian.core.audit import audit as write_audit
    from beian.core.choices import AuditEventType as Event

    write_audit(
        event=Event.UPDATE,
        actor=cast.school_admin,
        obj=cast.cs_account,
        detail={"changes": {"status": ["active", "suspended"], "verified": [False, True]}},
    )
    client.force_login(cast.auditor)
    page = client.get(reverse("core:audit_list")).content.decode()
    assert "新媒体账号" in page or "媒体平台账号" in page  # the model's verbose name
    assert "registry.MediaAccount" not in page
    assert "账号状态" in page or "状态" in page
    assert "旧值" in page and "新值" in page
    assert "beian-diff-old" in page and "→" in page
    assert "是" in page and "否" in page
    assert '"status"' not in page and "&quot;status&quot;" not in page  # no raw JSON


@pytest.mark.django_db
def test_audit_detail_keys_and_choices_are_in_chinese(cast):
    from beian.core.audit_views import _label, _value
    from beian.registry.models import MediaAccount

    assert _label(MediaAccount, "name") == str(MediaAccount._meta.get_field("name").verbose_name)
    assert _label(None, "team") == "管理队伍"
    assert _value(None, "role", "school_admin") != "school_admin"
    assert _value(None, "reported_late", True) == "是"
    assert _value(None, "anything", None) == "—"


@pytest.mark.django_db
def test_personal_data_in_the_log_stays_masked(client, cast):
    from beian.orgs import services as orgs

    orgs.person_update(actor=cast.school_admin, person=cast.cs_head, data={"mobile": "13700009999"})
    client.force_login(cast.auditor)
    page = client.get(reverse("core:audit_list")).content.decode()
    assert "13700009999" not in page and "13812341234" not in page
    assert "手机" in page
