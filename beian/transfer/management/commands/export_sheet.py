"""manage.py export_sheet KIND --out FILE: the registry as a summary sheet (.xlsx or .csv),
with the scope of --user and the list filters given as options.

    manage.py export_sheet accounts --out 汇总表.xlsx --layout pdsu --unit 计算机学院
    manage.py export_sheet groups --out groups.csv --status active --filter min_members=10
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beian.core.sheets import CellError, match_key
from beian.transfer import services
from beian.transfer.selectors import InvalidFilters, export_queryset

from ._common import acting_user, unit_option


class Command(BaseCommand):
    help = "导出表格：accounts（pdsu/hnwu 格式）、groups、units、people"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=services.KINDS)
        parser.add_argument("--out", required=True, help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--user", help="操作人用户名（导出范围按此用户）")
        parser.add_argument("--layout", default="", help="accounts：pdsu（默认）或 hnwu")
        parser.add_argument("--format", choices=("xlsx", "csv"), help="默认按输出文件扩展名")
        parser.add_argument("--unit", help="单位（含下级），名称或代码")
        parser.add_argument("--platform", help="平台名称、代码或别名")
        parser.add_argument("--status", help="状态，如 active / 已注销")
        parser.add_argument(
            "--filter", action="append", default=[], metavar="KEY=VALUE",
            help="列表页的其他筛选条件，如 tier=2、min_members=10、q=辅导员",
        )  # fmt: skip

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        kind = options["kind"]
        out = Path(options["out"])
        fmt = options["format"] or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
        params: dict[str, str] = {}
        unit = unit_option(options["unit"], user)
        if unit is not None:
            params["unit"] = str(unit.pk)
        if options["platform"]:
            params["platform"] = str(self._platform(kind, options["platform"]))
        if options["status"]:
            params["status"] = self._status(kind, options["status"])
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"筛选条件应写作 KEY=VALUE：{item}")
            params[key.strip()] = value.strip()
        try:
            queryset, unit_name = export_queryset(kind, user, params)
        except InvalidFilters as error:
            raise CommandError(f"筛选条件无效：{error}") from None
        exported = services.export_file(
            actor=user,
            kind=kind,
            queryset=queryset,
            layout=options["layout"],
            fmt=fmt,
            filters=params,
            unit_name=unit_name,
        )
        out.write_bytes(exported.data)
        self.stdout.write(f"已导出 {exported.rows} 行到 {out}（SHA-256 {exported.sha256}）")

    def _platform(self, kind: str, value: str) -> int:
        from beian.transfer.context import PlatformIndex

        index = PlatformIndex()
        resolve = index.group_platform if kind == "groups" else index.account_platform
        try:
            return resolve(value).pk
        except CellError as error:
            raise CommandError(error.reason) from None

    def _status(self, kind: str, value: str) -> str:
        from beian.registry.choices import AccountStatus, GroupStatus

        choices = GroupStatus.choices if kind == "groups" else AccountStatus.choices
        for code, label in choices:
            if match_key(value) in (match_key(code), match_key(str(label))):
                return code
        return value
