"""The world the permission matrix probes: the Cast plus one of each kind of object, and a
probe that answers the status code a role gets on a route (GET, and POST inside a
rolled-back transaction so that probes do not change what the next role sees)."""

from __future__ import annotations

import io
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
        from beian.filings.tests.factories import PDF, apply_new
        from beian.notify.models import Channel, Notification

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

        self._add_campaigns(cast, PDF)
        self._add_publication(cast)
        self._add_api(cast)
        self._add_inspections(cast)

    def _add_inspections(self, cast) -> None:
        """--- inspections (issue 11): an open round over the registered accounts, with a
        form and a part for 计算机学院 and 文学院, and a hand-over case on each side."""
        from beian.inspections import services as inspections
        from beian.inspections.models import HandoverCase, InspectionForm, InspectionPart
        from beian.orgs.models import Person
        from beian.registry.models import MediaAccount

        states = dict(MediaAccount.objects.values_list("pk", "filing_state"))
        MediaAccount.objects.update(filing_state="filed")
        self.inspection = inspections.inspection_open(
            actor=cast.school_admin, owner_unit=cast.school
        )
        for pk, state in states.items():  # other probes expect the accounts as they were
            MediaAccount.objects.filter(pk=pk).update(filing_state=state)
        self.cs_form = InspectionForm.objects.get(account=cast.cs_account)
        self.lit_form = InspectionForm.objects.get(account=cast.lit_account)
        self.cs_part = InspectionPart.objects.get(inspection=self.inspection, unit=cast.cs)
        self.lit_part = InspectionPart.objects.get(inspection=self.inspection, unit=cast.lit)
        today = timezone.localdate()
        cases = {}
        for side, unit, account in (
            ("cs", cast.cs, cast.cs_account),
            ("lit", cast.lit, cast.lit_account),
        ):
            person = Person.objects.create(
                name=f"{side}毕业生", unit=unit, kind="student", status="graduated"
            )
            cases[side] = HandoverCase.objects.create(
                person=person, account=account, unit=unit, roles=["operator"],
                person_status="graduated", found_on=today, due_on=today,
            )  # fmt: skip
        self.cs_case, self.lit_case = cases["cs"], cases["lit"]

    def _add_api(self, cast) -> None:
        """A token of 文学院's unit admin and a service account (for the token pages)."""
        from beian.api import services as api

        self.lit_token, _secret = api.token_create(actor=cast.lit_unit_admin, name="脚本")
        self.service_account = api.service_account_create(
            actor=cast.school_admin, username="svc-netcenter", purpose="网络中心", role="auditor"
        )
        self._add_qr_codes(cast)

    def _add_qr_codes(self, cast) -> None:
        """--- uploads (issue 9): both accounts carry a QR code, served by a checked view."""
        from django.core.files.storage import default_storage

        from beian.registry import services as registry

        name = "qr/permission-matrix.png"
        if not default_storage.exists(name):
            default_storage.save(name, io.BytesIO(b"\x89PNG\r\n\x1a\n"))
        for account in (cast.cs_account, cast.lit_account):
            account.refresh_from_db()
            registry.account_update(
                actor=cast.school_admin, account=account, data={"qr_code": name}
            )

    def _add_publication(self, cast) -> None:
        """--- publication (issue 12): the directory and the accounts list switched on."""
        from beian.publication import services as publication

        publication.publication_settings_update(
            root=cast.school, actor=cast.school_admin, directory=True, accounts_list=True
        )

    def _add_campaigns(self, cast, pdf: bytes) -> None:
        """An open campaign with a task for 计算机学院 (cs) and 文学院 (lit), an item in each,
        an attachment, and a draft copy (for the open probe)."""
        from datetime import timedelta

        from beian.campaigns import services as campaigns
        from beian.campaigns.models import CampaignTask

        self.campaign = campaigns.campaign_create(
            actor=cast.school_admin,
            owner_unit=cast.school,
            data={
                "title": "新媒体清查",
                "deadline": timezone.localdate() + timedelta(days=30),
                "sheets": ["accounts-pdsu"],
            },
            checklist=["已落实三审三校"],
        )
        self.campaign_attachment = campaigns.campaign_attach(
            actor=cast.school_admin,
            campaign=self.campaign,
            upload=SimpleUploadedFile("notice.pdf", pdf, content_type="application/pdf"),
        )
        campaigns.campaign_open(actor=cast.school_admin, campaign=self.campaign)
        self.draft_campaign = campaigns.campaign_copy(actor=cast.school_admin, source=self.campaign)
        self.cs_task = CampaignTask.objects.get(campaign=self.campaign, unit=cast.cs)
        self.lit_task = CampaignTask.objects.get(campaign=self.campaign, unit=cast.lit)
        self.cs_item = self.cs_task.items.get(account=cast.cs_account)
        self.lit_item = self.lit_task.items.get(account=cast.lit_account)
        campaigns.task_scan_upload(
            actor=cast.lit_unit_admin,
            task=self.lit_task,
            upload=SimpleUploadedFile("scan.pdf", pdf, content_type="application/pdf"),
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
_TODAY = {"on": timezone.localdate().isoformat()}

PROBES: list[Probe] = [
    *plain("home"),
    # dashboards
    *plain("dashboard"),
    *plain("dashboard_export", args=("=accounts-unit",)),
    *plain("login"),
    *plain("logout", ("post",)),
    # --- identity (issue 13): the sign-on routes answer 404 where no sign-on is configured
    *plain("identity:cas_login", GP),
    *plain("identity:no_role"),
    *plain("oidc_authentication_init"),
    *plain("oidc_authentication_callback"),
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
    # --- sign-in security (engineer C): second step of signing in, own password and 2FA, resets
    *plain("login_verify", GP),
    *plain("me:password_change", GP),
    *plain("me:security"),
    *plain("me:otp_setup", GP),
    *plain("me:recovery_codes", GP),
    *plain("me:otp_disable", ("post",)),
    *plain("users:password_reset", GP, args=("cast.lit_operator",)),
    *plain("users:otp_reset", GP, args=("cast.lit_operator",)),
    # registry
    *plain("registry:account_list"),
    *plain("registry:account_create", GP),
    *both("registry:account_detail", "cast.cs_account", "cast.lit_account"),
    *both("registry:account_edit", "cast.cs_account", "cast.lit_account", GP),
    # --- uploads (issue 9)
    *both("registry:account_qr", "cast.cs_account", "cast.lit_account"),
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
    *plain("filings:waiting_bulk", GP),
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
    *plain("api:campaign-list"),
    *plain("api:campaign-detail", args=("campaign",)),
    *plain("api:campaign-task-list"),
    *both("api:campaign-task-detail", "cs_task", "lit_task"),
    *plain("api:platform-list"),
    # --- api writes and tokens (engineer H): session here, token in beian/api/tests
    *plain("api:filing-list", GP, data={"kind": "new"}),
    *both("api:filing-detail", "cs_filing", "lit_filing"),
    *both("api:filing-submit", "cs_filing", "lit_filing", ("post",)),
    *both("api:account-activity", "cast.cs_account", "cast.lit_account", ("post",), _TODAY),
    *plain("api:import-list", ("post",), data={"kind": "people"}),
    *plain("api:import-detail", args=("=" + "A" * 22,)),
    *plain("api:import-commit", ("post",), args=("=" + "A" * 22,)),
    *both("api:campaign-task-confirm", "cs_task", "lit_task", ("post",), {"all_unchanged": "true"}),
    *both("api:campaign-task-checklist", "cs_task", "lit_task", ("post",)),
    *both("api:campaign-task-submit", "cs_task", "lit_task", ("post",)),
    *plain("api:token_list", GP, data={"name": "脚本", "days": "30"}),
    *plain("api:token_revoke", ("post",), args=("lit_token",)),
    *plain("api:service_account_list", GP),
    *plain(
        "api:service_account_detail",
        GP,
        args=("service_account",),
        data={"name": "x", "days": "30"},
    ),
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
    # campaigns
    *plain("campaigns:campaign_list"),
    *plain("campaigns:campaign_create", GP),
    *plain("campaigns:campaign_detail", args=("campaign",)),
    *plain("campaigns:campaign_edit", GP, args=("campaign",)),
    *plain("campaigns:campaign_open", ("post",), args=("draft_campaign",)),
    *plain("campaigns:campaign_close", ("post",), args=("campaign",)),
    *plain("campaigns:campaign_copy", ("post",), args=("campaign",)),
    *plain("campaigns:campaign_attach", ("post",), args=("campaign",)),
    *plain("campaigns:campaign_attachment", args=("campaign", "campaign_attachment")),
    *plain("campaigns:task_list"),
    *both("campaigns:task_detail", "cs_task", "lit_task"),
    *[
        Probe(
            route,
            (f"{side}_task", f"{side}_item"),
            method,
            None,
            f"{route} {method.upper()} {side}",
        )
        for route, methods in (
            ("campaigns:item_confirm", ("post",)),
            ("campaigns:item_correct", ("post",)),
            ("campaigns:item_close", GP),
        )
        for side in ("cs", "lit")
        for method in methods
    ],
    *both("campaigns:task_confirm_all", "cs_task", "lit_task", ("post",)),
    *both("campaigns:task_checklist", "cs_task", "lit_task", ("post",)),
    *both("campaigns:task_zero", "cs_task", "lit_task", ("post",)),
    *both("campaigns:task_scan", "cs_task", "lit_task", ("post",)),
    *both("campaigns:task_scan_file", "cs_task", "lit_task"),
    *[
        Probe(
            "campaigns:task_sheet",
            (f"{side}_task", "=accounts-pdsu"),
            "get",
            None,
            f"campaigns:task_sheet GET {side}",
        )
        for side in ("cs", "lit")
    ],
    *both("campaigns:task_submit", "cs_task", "lit_task", ("post",)),
    *both("campaigns:task_return", "cs_task", "lit_task", ("post",), {"comment": "请补充"}),
    *both("campaigns:task_confirm", "cs_task", "lit_task", ("post",)),
    # --- publication (issue 12): public pages, no login; cs_account is not published
    *plain("publication:directory"),
    *[
        Probe(f"publication:{name}", ("cast.cs_account",))
        for name in ("card", "card_qr", "badge", "widget")
    ],
    *plain("publication:check", data={"q": "计算机学院"}),
    *plain("publication:check_qr", ("post",)),
    *plain("publication:published"),
    *plain("publication:accounts_list"),
    *plain("publication:accounts_list_file", args=("=xlsx",)),
    *plain("publication:bulletin", args=("campaign",)),
    *plain("publication:bulletin_file", args=("campaign", "=xlsx")),
    *plain("publication:settings", GP),
    *plain("validity", data={"url": "https://weibo.com/u/1"}),
    # campaigns: the school's side of a round (views_board)
    *plain("campaigns:campaign_board", args=("campaign",)),
    *plain("campaigns:board_decide", ("post",), args=("campaign",), data={"decision": "confirm"}),
    *plain("campaigns:board_remind", ("post",), args=("campaign",), data={"all": "1"}),
    *plain("campaigns:campaign_bulletin", args=("campaign",)),
    *[
        Probe(
            "campaigns:campaign_bulletin_file",
            ("campaign", f"={fmt}"),
            "get",
            None,
            f"campaigns:campaign_bulletin_file GET {fmt}",
        )
        for fmt in ("docx", "xlsx")
    ],  # fmt: skip
    *plain("campaigns:campaign_summary", args=("campaign", "=accounts-pdsu")),
    *plain("campaigns:campaign_diff", args=("campaign",)),
    *plain("campaigns:campaign_diff_file", args=("campaign",)),
    *both("campaigns:task_late_filings", "cs_task", "lit_task", GP, {"pledge": "1"}),
    # --- inspections (issue 11)
    *plain("inspections:inspection_list"),
    *plain("api:inspection-list"),
    *plain("api:inspection-detail", args=("inspection",)),
    *plain("api:inspection-grade-list"),
    *both("api:inspection-grade-detail", "cs_form", "lit_form"),
    # --- api: answering an inspection (issue 13, engineer P4)
    *plain("api:inspection-form-list"),
    *both("api:inspection-form-detail", "cs_form", "lit_form"),
    *both(
        "api:inspection-form-answers", "cs_form", "lit_form", ("post",), {"posts_this_year": "1"}
    ),
    *both(
        "api:inspection-form-rectification", "cs_form", "lit_form", ("post",), {"answer": "已整改"}
    ),
    *plain("api:inspection-part-list"),
    *both("api:inspection-part-detail", "cs_part", "lit_part"),
    *both("api:inspection-part-submit", "cs_part", "lit_part", ("post",), {"opinion": "同意"}),
    *plain("inspections:inspection_open", GP),
    *plain("inspections:inspection_detail", args=("inspection",)),
    *plain("inspections:inspection_edit", GP, args=("inspection",)),
    *plain(
        "inspections:inspection_publish", ("post",), args=("inspection",), data={"published": "1"}
    ),
    *plain("inspections:inspection_close", ("post",), args=("inspection",)),
    *plain("inspections:grading", args=("inspection",)),
    *plain("inspections:grade_bulk", ("post",), args=("inspection",), data={"all_clean": "1"}),
    *plain("inspections:inspection_results", args=("inspection",)),
    *[
        Probe(
            "inspections:inspection_results_file",
            ("inspection", f"={fmt}"),
            "get",
            None,
            f"inspections:inspection_results_file GET {fmt}",
        )
        for fmt in ("docx", "xlsx")
    ],  # fmt: skip
    *both("inspections:part_detail", "cs_part", "lit_part"),
    *both("inspections:part_submit", "cs_part", "lit_part", ("post",), {"opinion": "同意"}),
    # --- inspections: the school returns a unit's forms; the public results page (P3)
    *both("inspections:part_return", "cs_part", "lit_part", ("post",), {"comment": "请补充"}),
    *plain("publication:inspection_results", args=("inspection",)),
    *plain("publication:inspection_results_file", args=("inspection", "=xlsx")),
    *both("inspections:form_detail", "cs_form", "lit_form"),
    *both("inspections:form_fill", "cs_form", "lit_form", GP, {"posts_this_year": "1"}),
    *both("inspections:form_grade", "cs_form", "lit_form", ("post",), {"grade": "pass"}),
    *both("inspections:form_rectify", "cs_form", "lit_form", ("post",), {"answer": "已整改"}),
    *plain("inspections:handover_list"),
    *both("inspections:handover_detail", "cs_case", "lit_case"),
    *both("inspections:handover_hand_over", "cs_case", "lit_case", ("post",), {"successor": "0"}),
    *both("inspections:handover_close", "cs_case", "lit_case", ("post",), {"reason": "不再运营"}),
]
