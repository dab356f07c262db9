"""manage.py import_sheet KIND FILE: import a sheet of accounts, groups, units or people.

Prints the preview (each row that would change, with its messages) and, unless
--dry-run, writes it all or nothing. Exit status: 0 done (or a clean dry run), 1 error
rows block the import, 2 the file cannot be used.

    manage.py import_sheet groups 附件3.xlsx --user cs_admin --dry-run
    manage.py import_sheet accounts 清查表.xls --unit 计算机学院 --drop-errors --json
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beian.core.sheets import SheetError
from beian.transfer import services
from beian.transfer.plan import Status
from beian.transfer.reports import error_report

from ._common import acting_user, unit_option

SHOW_ROWS = 200  # rows listed in the text output; --json lists them all


class Command(BaseCommand):
    help = "导入表格：新媒体账号（accounts）、即时群聊（groups）、单位（units）、人员（people）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=services.KINDS)
        parser.add_argument("file")
        parser.add_argument("--unit", help="导入到该单位（名称或代码）：空白单位记入此单位")
        parser.add_argument("--user", help="操作人用户名（权限范围按此用户）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出预览结果")
        parser.add_argument("--drop-errors", action="store_true", help="跳过错误行，导入其余各行")
        parser.add_argument("--error-report", help="把错误行写入该 .xlsx 文件")
        parser.add_argument("--all-rows", action="store_true", help="JSON 中也列出无变化的行")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        unit = unit_option(options["unit"], user)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件：{error}", returncode=2) from None
        kind, name = options["kind"], path.name
        try:
            plan = services.import_preview(
                actor=user, kind=kind, file_name=name, data=data, unit=unit
            )
            checked = plan  # every row checked, before any is dropped: for the report
            drop: set[int] = set()
            for _ in range(3):  # dropping a duplicate may turn its twin valid: plan again
                if not (options["drop_errors"] and plan.has_errors):
                    break
                drop |= set(plan.error_rows())
                plan = services.import_preview(
                    actor=user, kind=kind, file_name=name, data=data, unit=unit, drop=drop
                )
        except SheetError as error:
            raise CommandError(error.message_zh, returncode=2) from None
        if options["error_report"]:
            Path(options["error_report"]).write_bytes(error_report(data, name, checked.as_dict()))
        written = None
        blocked = plan.has_errors
        if not options["dry_run"] and not blocked:
            outcome = services.import_commit(
                actor=user, kind=kind, file_name=name, data=data, unit=unit, drop=drop
            )
            plan, written = outcome.plan, outcome.written
        if options["json"]:
            document = plan.as_dict(include_unchanged=options["all_rows"])
            document["committed"] = written is not None
            document["written"] = written
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str))
        else:
            self._print(plan, written, options["dry_run"])
        if blocked:
            raise CommandError(
                f"有 {plan.counts['error']} 行错误，未导入任何数据"
                "（修改文件，或用 --drop-errors 跳过错误行）",
                returncode=1,
            )

    def _print(self, plan, written, dry_run: bool) -> None:
        out = self.stdout
        out.write(f"{plan.file_name}：{plan.layout_label}，工作表“{plan.sheet}”")
        for message in plan.messages:
            out.write(self.style.WARNING(f"  提示：{message.message}"))
        shown = 0
        for row in plan.rows:
            if row.status is Status.UNCHANGED and not row.messages:
                continue
            shown += 1
            if shown > SHOW_ROWS:
                continue
            style = self.style.ERROR if row.status is Status.ERROR else (lambda s: s)
            out.write(style(f"第 {row.number} 行 [{row.status_label}] {row.label} {row.unit}"))
            for change in row.changes:
                out.write(
                    f"    {change.label}：{change.old or '（空）'} → {change.new or '（空）'}"
                )
            for message in row.messages:
                prefix = "错误" if message.level == "error" else "警告"
                out.write(f"    {prefix}：{message.message}")
        if shown > SHOW_ROWS:
            out.write(f"……其余 {shown - SHOW_ROWS} 行从略（用 --json 查看全部）")
        c = plan.counts
        out.write(
            f"共 {c['total']} 行：新增 {c['new']}，更新 {c['update']}，无变化 {c['unchanged']}，"
            f"错误 {c['error']}，跳过 {c['dropped']}，有警告 {c['warning']}，新增人员 {c['new_people']}"
        )
        if written is not None:
            out.write(self.style.SUCCESS(f"已导入：{json.dumps(written, ensure_ascii=False)}"))
        elif dry_run:
            out.write("（预览，未写入）")
