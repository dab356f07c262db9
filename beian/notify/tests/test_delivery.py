"""Reminders reach people once, as digests, within the platforms' limits — against robot
webhooks served by a local HTTP server (127.0.0.1) in the test, never the internet."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from beian.notify import providers
from beian.notify.channels import Digest, SendError, send
from beian.notify.choices import MessageState, ReminderState
from beian.notify.delivery import claim_reminders, fan_out, send_due
from beian.notify.models import Channel, Message, Notification, Reminder
from beian.notify.services import reminder_schedule, reminders_cancel
from beian.testing import make_unit

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


class Robot:
    """A local robot webhook: records each request, answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                parsed = urllib.parse.urlsplit(self.path)
                robot.requests.append(
                    {
                        "path": parsed.path,
                        "query": urllib.parse.parse_qs(parsed.query),
                        "json": json.loads(self.rfile.read(length) or b"{}"),
                    }
                )
                status, body = robot.replies.pop(0) if robot.replies else (200, {"errcode": 0})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_providers(monkeypatch):
    """The app's providers (filings) are tested on their own; here only what a test adds."""
    monkeypatch.setattr(providers, "_providers", {})


def channel(unit, kind, url="", secret="", **kw):
    return Channel.objects.create(
        unit=unit,
        kind=kind,
        name=kw.pop("name", f"{kind}-{unit.pk}"),
        webhook_url=url,
        secret=secret,
        **kw,
    )


def due(key, unit, text="提醒", at=T0, **kw):
    return reminder_schedule(key=key, unit=unit, kind="test", text=text, due_at=at, **kw)[0]


# --- payloads and signatures --------------------------------------------------------------


def test_wecom_dingtalk_and_feishu_get_their_payloads_and_valid_signatures(cast, robot):
    ding_secret, feishu_secret = "SEC-ding-0123456789", "feishu-secret-abc"
    channel(cast.school, "wecom", robot.url("/wecom"))
    channel(cast.school, "dingtalk", robot.url("/ding?access_token=tok"), ding_secret)
    channel(cast.school, "feishu", robot.url("/feishu"), feishu_secret)
    due("t:1", cast.cs, "《计算机学院团委》变更报备须在 3 月 5 日前提交", link="/filings/1/")

    with time_machine.travel(T0, tick=False):
        result = send_due()
    assert result["reminders"] == 1 and result["sent"] == 3

    (wecom,) = robot.on("/wecom")
    assert wecom["json"]["msgtype"] == "markdown"
    assert "计算机学院：1 条提醒" in wecom["json"]["markdown"]["content"]
    assert "变更报备须在 3 月 5 日前提交" in wecom["json"]["markdown"]["content"]

    (ding,) = robot.on("/ding")
    assert ding["json"]["msgtype"] == "markdown"
    assert ding["json"]["markdown"]["title"] == "计算机学院：1 条提醒"
    assert ding["query"]["access_token"] == ["tok"]
    timestamp = ding["query"]["timestamp"][0]
    assert int(timestamp) == int(T0.timestamp() * 1000)
    expected = base64.b64encode(
        hmac.new(
            ding_secret.encode(), f"{timestamp}\n{ding_secret}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert ding["query"]["sign"] == [expected]  # parse_qs undid the URL-encoding

    (feishu,) = robot.on("/feishu")
    body = feishu["json"]
    assert body["msg_type"] == "text" and "变更报备" in body["content"]["text"]
    assert body["timestamp"] == str(int(T0.timestamp()))
    key = f"{body['timestamp']}\n{feishu_secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_a_platform_refusal_is_a_send_error(cast, robot):
    robot.replies = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    ding = channel(cast.school, "dingtalk", robot.url("/ding"), "SEC-x")
    with pytest.raises(SendError, match="310000"):
        send(ding, Digest("t", [{"text": "x", "link": ""}]))


# --- digests, inheritance, inbox ------------------------------------------------------------


def test_five_events_of_a_unit_make_one_message_per_channel(cast, robot):
    channel(cast.school, "wecom", robot.url("/school"))
    channel(cast.lit, "wecom", robot.url("/lit"))  # 文学院 has its own robot
    for n in range(5):
        due(f"cs:{n}", cast.se, f"软件工程系事项 {n}", recipients=[cast.cs_unit_admin])
    due("lit:1", cast.lit, "文学院事项")

    with time_machine.travel(T0, tick=False):
        send_due()
    (school,) = robot.on("/school")  # 软件工程系 inherits the school's robot
    content = school["json"]["markdown"]["content"]
    assert "软件工程系：5 条提醒" in content
    assert all(f"软件工程系事项 {n}" in content for n in range(5))
    (lit,) = robot.on("/lit")  # and 文学院 does not get the school's
    assert "文学院事项" in lit["json"]["markdown"]["content"]
    assert Notification.objects.filter(recipient=cast.cs_unit_admin).count() == 5


def test_email_channel_mails_the_unit_admins_one_digest(cast):
    cast.cs_unit_admin.email = "cs-admin@ncwu.edu.cn"
    cast.cs_unit_admin.save()
    channel(cast.school, "email")
    for n in range(3):
        due(f"m:{n}", cast.se, f"事项 {n}")
    with time_machine.travel(T0, tick=False):
        send_due()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cs-admin@ncwu.edu.cn"]
    assert "软件工程系：3 条提醒" in mail.outbox[0].subject


def test_scheduling_is_idempotent_and_a_sent_point_never_goes_twice(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))
    first, created = reminder_schedule(
        key="campaign:1:task:2:due-7d", unit=cast.cs, kind="x", text="旧", due_at=T0
    )
    again, created_again = reminder_schedule(
        key="campaign:1:task:2:due-7d", unit=cast.cs, kind="x", text="新", due_at=T0
    )
    assert created and not created_again and again.pk == first.pk and again.text == "新"
    with time_machine.travel(T0, tick=False):
        send_due()
        reminder_schedule(
            key="campaign:1:task:2:due-7d", unit=cast.cs, kind="x", text="再来", due_at=T0
        )
        send_due()
    assert len(robot.requests) == 1
    assert Reminder.objects.get().state == ReminderState.SENT


def test_cancelled_points_are_not_sent(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))
    due("campaign:1:task:2:due-1d", cast.cs)
    assert reminders_cancel(key_prefix="campaign:1:task:2:") == 1
    with time_machine.travel(T0, tick=False):
        send_due()
    assert robot.requests == []


def test_future_points_wait_for_their_time(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))
    due("later", cast.cs, at=T0 + timedelta(days=1))
    with time_machine.travel(T0, tick=False):
        send_due()
    assert robot.requests == []
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        send_due()
    assert len(robot.requests) == 1


# --- exactly once ---------------------------------------------------------------------------


def test_a_claim_left_by_a_killed_worker_is_sent_once_after_the_timeout(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))
    due("k:1", cast.cs, recipients=[cast.cs_unit_admin])
    with time_machine.travel(T0, tick=False):
        token = claim_reminders(T0)  # worker 1 claims … and is killed before it fans out
        assert token
        assert send_due()["reminders"] == 0  # a fresh claim is not taken over
    assert Reminder.objects.get().state == ReminderState.SENDING
    later = T0 + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        assert send_due()["reminders"] == 1  # worker 2 takes the stale claim over
        assert fan_out(token, later) == 0  # worker 1 coming back finds nothing of its own
        send_due()
    assert len(robot.requests) == 1
    assert Notification.objects.filter(recipient=cast.cs_unit_admin).count() == 1


def test_two_workers_reading_the_same_due_rows_claim_each_once(cast, robot):
    """Worker A reads the due ids; worker B claims them all before A's UPDATE; A's
    conditional UPDATE then takes none of them."""
    from beian.notify.delivery import _claimable_reminders

    channel(cast.school, "wecom", robot.url("/w"))
    for n in range(3):
        due(f"c:{n}", cast.cs, f"事项{n}")
    with time_machine.travel(T0, tick=False):
        ids_read_by_a = list(
            Reminder.objects.filter(_claimable_reminders(T0)).values_list("pk", flat=True)
        )
        token_b = claim_reminders(T0)
        taken_by_a = (
            Reminder.objects.filter(pk__in=ids_read_by_a)
            .filter(_claimable_reminders(T0))
            .update(state=ReminderState.SENDING, claim_token="a" * 32, claimed_at=T0)
        )
        assert len(ids_read_by_a) == 3 and taken_by_a == 0
        assert claim_reminders(T0) is None  # nothing left for a third look either
        assert fan_out(token_b, T0) == 3
        assert fan_out(token_b, T0) == 0
        send_due()
    assert len(robot.requests) == 1
    assert "计算机学院：3 条提醒" in robot.requests[0]["json"]["markdown"]["content"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_send_each_digest_once(robot, tmp_path):
    """Two workers (threads, each with its own connection) run send_due on the same
    database at the same moment. On SQLite the test database (in memory) is copied to a
    file first, so that the workers share it the way two worker processes would."""
    import sqlite3

    from django.db import connection, connections

    from beian.testing import Cast

    cast = Cast()
    channel(cast.school, "wecom", robot.url("/w"))
    expected = []
    for unit in (cast.cs, cast.lit, cast.se, cast.league, cast.union):
        for n in range(4):
            due(f"{unit.pk}:{n}", unit, f"{unit.name}事项{n}")
            expected.append(f"- {unit.name}事项{n}")
    settings_dict = connections.settings["default"]
    original_name = settings_dict["NAME"]
    file_db = tmp_path / "workers.sqlite3"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(file_db)
        connection.connection.backup(target)
        target.close()
        settings_dict["NAME"] = str(file_db)  # what the workers' new connections open
    barrier = threading.Barrier(2)
    errors, results = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(send_due(T0, run_providers=False))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        settings_dict["NAME"] = original_name
    assert not errors, errors
    assert sum(r["reminders"] for r in results) == 20  # each due point fanned out once
    texts = [r["json"]["markdown"]["content"] for r in robot.requests]
    lines = [line for text in texts for line in text.splitlines() if line.startswith("- ")]
    assert sorted(lines) == sorted(expected)  # every due point sent once, none twice
    if connection.vendor == "sqlite":
        with sqlite3.connect(file_db) as db:
            states = db.execute("SELECT state, COUNT(*) FROM notify_reminder GROUP BY state")
            assert dict(states.fetchall()) == {"sent": 20}


# --- rate limit and back-off -------------------------------------------------------------------


def test_at_most_twenty_messages_a_minute_per_webhook(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))
    units = [make_unit(f"班级{n}", parent=cast.cs) for n in range(25)]
    for unit in units:
        due(f"r:{unit.pk}", unit)
    with time_machine.travel(T0, tick=False):
        first = send_due()
        assert len(robot.requests) == 20 and first["deferred"] == 5
        send_due()
        assert len(robot.requests) == 20
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        send_due()
        assert len(robot.requests) == 20
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        send_due()
    assert len(robot.requests) == 25
    assert Message.objects.filter(state=MessageState.SENT).count() == 25


def test_a_500_is_retried_with_back_off_and_shown_on_the_channel(cast, robot):
    robot.replies = [(500, {}), (500, {})]
    wecom = channel(cast.school, "wecom", robot.url("/w"))
    due("b:1", cast.cs)
    with time_machine.travel(T0, tick=False):
        assert send_due()["failed"] == 1
    message = Message.objects.get()
    assert message.state == MessageState.PENDING and message.attempts == 1
    assert message.next_try_at == T0 + timedelta(minutes=1)
    wecom.refresh_from_db()
    assert "HTTP 500" in wecom.last_error
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        send_due()
    assert len(robot.requests) == 1  # not before its time
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        send_due()
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_try_at == T0 + timedelta(minutes=3)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        send_due()
    message.refresh_from_db()
    wecom.refresh_from_db()
    assert message.state == MessageState.SENT and len(robot.requests) == 3
    assert wecom.last_ok_at == T0 + timedelta(minutes=3)


def test_gives_up_after_the_last_attempt_and_says_so(cast, robot):
    from beian.notify.delivery import MAX_ATTEMPTS

    robot.replies = [(500, {})] * MAX_ATTEMPTS
    wecom = channel(cast.school, "wecom", robot.url("/w"))
    due("g:1", cast.cs)
    now = T0
    for _n in range(MAX_ATTEMPTS + 2):
        with time_machine.travel(now, tick=False):
            send_due()
        now += timedelta(hours=1)
    assert len(robot.requests) == MAX_ATTEMPTS
    assert Message.objects.get().state == MessageState.FAILED
    wecom.refresh_from_db()
    assert "放弃发送" in wecom.last_error


# --- providers ---------------------------------------------------------------------------------


def test_a_daily_provider_runs_once_a_day_from_its_time(cast):
    calls = []
    providers.register(lambda now: calls.append(now), name="t.daily", daily_at=time(8, 30))
    for moment in (
        datetime(2026, 3, 2, 8, 0, tzinfo=TZ),
        datetime(2026, 3, 2, 8, 31, tzinfo=TZ),
        datetime(2026, 3, 2, 15, 0, tzinfo=TZ),
        datetime(2026, 3, 3, 8, 45, tzinfo=TZ),
    ):
        providers.run_all(moment)
    assert [c.date() for c in calls] == [datetime(2026, 3, 2).date(), datetime(2026, 3, 3).date()]


def test_a_failing_provider_stops_neither_the_others_nor_the_sending(cast, robot):
    channel(cast.school, "wecom", robot.url("/w"))

    def broken(now):
        raise RuntimeError("bug")

    providers.register(broken, name="t.broken")
    providers.register(lambda now: due("p:1", cast.cs, at=now), name="t.ok")
    with time_machine.travel(T0, tick=False):
        send_due()
    assert len(robot.requests) == 1
