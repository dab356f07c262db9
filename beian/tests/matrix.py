"""The world the permission matrix probes: the Cast plus one of each kind of object, and a
probe that answers the status code a role gets on a route (GET, and POST inside a
rolled-back transaction so that probes do not change what the next role sees)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from beian.testing import Cast

ROLES = (
    "anonymous",
    "nobody",
    "school_admin",
    "leader",
    "league_approver",
    "cs_unit_admin",
    "lit_unit_admin",
    "lit_operator",
    "auditor",
)


class World:
    """Objects owned by 计算机学院 (the `cs` side) and 文学院 (the `lit` side, where the
    operator is on the team). cs_unit_admin is in scope for cs, out of scope for lit."""

    def __init__(self):
        from beian.compliance.models import Finding
        from beian.filings import services as filings
        from beian.notify.models import Channel, Notification
        from beian.filings.tests.factories import PDF, apply_new

        self.cast = cast = Cast()
        self.lit_filing = apply_new(cast.lit_operator, cast.lit)
        self.cs_filing = apply_new(cast.cs_unit_admin, cast.cs, name="计院新号")
        self.lit_attachment = filings.filing_attach(
            filing=self.lit_filing,
            actor=cast.lit_operator,
            upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        )
        now = timezone.now()
        self.cs_finding = Finding.objects.create(
            rule="account_not_verified",
            severity="warning",
            account=cast.cs_account,
            owner_unit=cast.cs,
            message="账号未在平台认证",
            first_seen=now,
            last_seen=now,
        )
        self.lit_finding = Finding.objects.create(
            rule="account_not_verified",
            severity="warning",
            account=cast.lit_account,
            owner_unit=cast.lit,
            message="账号未在平台认证",
            first_seen=now,
            last_seen=now,
        )
        self.lit_notification = Notification.objects.filter(
            recipient=cast.lit_unit_admin
        ).first() or Notification.objects.create(
            recipient=cast.lit_unit_admin, text="测试通知", link="/"
        )
        self.lit_operator_role = cast.lit_operator.roles.get()
        self.cs_channel = Channel.objects.create(
            unit=cast.cs, kind="email", name="计院邮件", recipients="cs@example.com"
        )
        self.lit_channel = Channel.objects.create(
            unit=cast.lit, kind="email", name="文院邮件", recipients="lit@example.com"
        )

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(self.cast, role))
        return client


@dataclass(frozen=True)
class Probe:
    """One request: the route name, how to build its arguments from the world, the method,
    and optional form data."""

    route: str
    args: tuple = ()
    method: str = "get"
    data: dict | None = None
    label: str = ""

    @property
    def key(self) -> str:
        return self.label or f"{self.route} {self.method.upper()}"


def _resolve(obj, dotted: str):
    """A dotted path into the world ("cast.cs_account"); "=text" is the literal text."""
    if dotted.startswith("="):
        return dotted[1:]
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def run_probe(world: World, probe: Probe, role: str) -> int:
    from django.urls import reverse

    args = [_resolve(world, a) if isinstance(a, str) else a for a in probe.args]
    args = [getattr(a, "pk", a) for a in args]
    url = reverse(probe.route, args=args)
    client = world.client_for(role)
    with transaction.atomic():
        response = getattr(client, probe.method)(url, probe.data or {})
        transaction.set_rollback(True)
    status = response.status_code
    if status == 302 and role == "anonymous" and "/login/" in response.get("Location", ""):
        return 302
    return status


def both(route: str, cs: str, lit: str, methods=("get",), data=None) -> list[Probe]:
    """The same route on a 计算机学院 object and on a 文学院 object, for each method."""
    return [
        Probe(route, (obj,), method, data, f"{route} {method.upper()} {side}")
        for side, obj in (("cs", cs), ("lit", lit))
        for method in methods
    ]


def plain(route: str, methods=("get",), args=(), data=None) -> list[Probe]:
    return [Probe(route, args, method, data) for method in methods]


GP = ("get", "post")

PROBES: list[Probe] = [
    *plain("home"),
    *plain("login"),
    *plain("logout", ("post",)),
    *plain("core:audit_list"),
    # orgs
    *plain("orgs:unit_list"),
    *plain("orgs:unit_create", GP),
    *both("orgs:unit_detail", "cast.cs", "cast.lit"),
    *both("orgs:unit_update", "cast.cs", "cast.lit", GP),
    *plain("orgs:person_list"),
    *plain("orgs:person_create", GP),
    *plain("orgs:person_suggest", data={"q": "张"}),
    *both("orgs:person_detail", "cast.cs_head", "cast.lit_teacher"),
    *both("orgs:person_update", "cast.cs_head", "cast.lit_teacher", GP),
    # users and roles
    *plain("users:user_list"),
    *plain("users:user_create", GP),
    *plain("users:user_detail", args=("cast.lit_operator",)),
    *plain("users:role_grant", GP, args=("cast.lit_operator",)),
    *plain("users:role_revoke", GP, args=("cast.lit_operator", "lit_operator_role")),
    # registry
    *plain("registry:account_list"),
    *plain("registry:account_create", GP),
    *both("registry:account_detail", "cast.cs_account", "cast.lit_account"),
    *both("registry:account_edit", "cast.cs_account", "cast.lit_account", GP),
    *both("registry:account_close", "cast.cs_account", "cast.lit_account", GP),
    *both("registry:account_tier", "cast.cs_account", "cast.lit_account", GP),
    *plain("registry:group_list"),
    *plain("registry:group_create", GP),
    *both("registry:group_detail", "cast.cs_group", "cast.lit_group"),
    *both("registry:group_edit", "cast.cs_group", "cast.lit_group", GP),
    *both("registry:group_dissolve", "cast.cs_group", "cast.lit_group", GP),
    # filings
    *plain("filings:mine"),
    *plain("filings:waiting"),
    *plain("filings:list"),
    *plain("filings:create", GP),
    *both("filings:create_late", "cast.cs_account", "cast.lit_account", GP),
    *both("filings:create_group", "cast.cs_group", "cast.lit_group", GP),
    *both("filings:change_create", "cast.cs_account", "cast.lit_account", GP),
    *both("filings:closing_account", "cast.cs_account", "cast.lit_account", GP),
    *both("filings:closing_group", "cast.cs_group", "cast.lit_group", GP),
    *both("filings:detail", "cs_filing", "lit_filing"),
    *both("filings:edit", "cs_filing", "lit_filing", GP),
    *both("filings:submit", "cs_filing", "lit_filing", ("post",)),
    *both("filings:withdraw", "cs_filing", "lit_filing", ("post",)),
    *both("filings:decide", "cs_filing", "lit_filing", ("post",), {"decision": "approve"}),
    *both(
        "filings:take_over", "cs_filing", "lit_filing", ("post",), {"round_no": 1, "position": 0}
    ),
    *both("filings:docx", "cs_filing", "lit_filing"),
    *both("filings:attach", "cs_filing", "lit_filing", GP),
    *plain("filings:attachment", args=("lit_filing", "lit_attachment")),
    *plain("filings:inbox"),
    *plain("filings:notification_open", ("post",), args=("lit_notification",)),
    *plain("filings:inbox_read_all", ("post",)),
    # notify
    *plain("notify:inbox"),
    *plain("notify:notification_open", ("post",), args=("lit_notification",)),
    *plain("notify:inbox_read_all", ("post",)),
    *plain("notify:channel_list"),
    *plain("notify:channel_create", GP),
    *both("notify:channel_edit", "cs_channel", "lit_channel", GP),
    *both("notify:channel_test", "cs_channel", "lit_channel", ("post",)),
    *both("notify:channel_toggle", "cs_channel", "lit_channel", ("post",)),
    # compliance
    *plain("compliance:overview"),
    *plain("compliance:finding_list"),
    *plain("compliance:finding_export"),
    *both("compliance:finding_detail", "cs_finding", "lit_finding"),
    *both("compliance:finding_waive", "cs_finding", "lit_finding", GP, {"reason": "已核实"}),
    *both("compliance:finding_unwaive", "cs_finding", "lit_finding", ("post",)),
    *plain("compliance:todo"),
    *plain("compliance:rule_list"),
    *plain("compliance:scan_now", ("post",)),
    *plain("compliance:name_check", GP, data={"names": "华水青年"}),
    *both("compliance:activity_report", "cast.cs_account", "cast.lit_account", GP),
    # api (read-only)
    *plain("api:schema"),
    *plain("api:account-list"),
    *both("api:account-detail", "cast.cs_account", "cast.lit_account"),
    *plain("api:group-list"),
    *both("api:group-detail", "cast.cs_group", "cast.lit_group"),
    *plain("api:unit-list"),
    *both("api:unit-detail", "cast.cs", "cast.lit"),
    *plain("api:person-list"),
    *both("api:person-detail", "cast.cs_head", "cast.lit_teacher"),
    *plain("api:finding-list"),
    *plain("api:platform-list"),
    # transfer (imports need an upload token; 0 is no token of anyone's)
    *plain("transfer:import_start", GP),
    *plain("transfer:import_preview", args=(0,)),
    *plain("transfer:import_commit", ("post",), args=(0,)),
    *plain("transfer:import_cancel", ("post",), args=(0,)),
    *plain("transfer:import_teach", ("post",), args=(0,)),
    *plain("transfer:import_errors", args=(0,)),
    *plain("transfer:import_done", args=(0,)),
    *plain("transfer:template", args=("=accounts-pdsu",)),
    *plain("transfer:export_accounts"),
    *plain("transfer:export_groups"),
    *plain("transfer:export_units"),
    *plain("transfer:export_people"),
    *plain("transfer:account_forms_zip"),
    *both("transfer:account_form_docx", "cast.cs_account", "cast.lit_account"),
]
