"""manage.py check_names: run the name guard over a list of account names that staff found
on the platforms (one name a line), and print each name's class, the school name it
matched and how.

Without --names-of the school is the first Institution in the database and the registered
names are those of the filed media accounts; with --names-of FILE (JSON with full_name,
short_names, english_name, initials, domains) the names are another institution's and
only --registered FILE gives registered names.
"""

import json
import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beian.compliance.nameguard import NameClass, NameGuard, SchoolNames


def _read_text(path: str, what: str) -> str:
    """A UTF-8 file (a byte-order mark is tolerated), or standard input for "-"."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取{what}“{path}”：{exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{what}“{path}”不是 UTF-8 编码（第 {exc.start + 1} 个字节附近），请另存为 UTF-8 后重试"
        ) from exc


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Command(BaseCommand):
    help = "用名称守卫检查账号名称：官方 / 使用校名 / 仿冒校名 / 无关（每行一个名称）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名称文件，每行一个账号名称（UTF-8）；“-”表示标准输入")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出")
        parser.add_argument(
            "--names-of",
            metavar="FILE",
            help="学校名称 JSON 文件（full_name、short_names、english_name、initials、domains），"
            "不指定时使用数据库中的学校",
        )
        parser.add_argument(
            "--registered", metavar="FILE", help="已备案账号名称文件，每行一个（UTF-8）"
        )

    def handle(self, *args, **options):
        names, registered = self._school(options["names_of"])
        if options["registered"]:
            registered += _lines(_read_text(options["registered"], "已备案名称文件"))
        account_names = _lines(_read_text(options["file"], "名称文件"))

        guard = NameGuard(names, registered)
        verdicts = guard.check_all(account_names)

        if options["json"]:
            self.stdout.write(
                json.dumps([v.as_dict() for v in verdicts], ensure_ascii=False, indent=2)
            )
        else:
            for v in verdicts:
                self.stdout.write(
                    "\t".join((v.name, str(v.name_class), v.matched, str(v.method), v.reason))
                )
        counts = Counter(v.name_class for v in verdicts)
        summary = "，".join(f"{c.label} {counts[c]}" for c in NameClass)
        self.stderr.write(f"共检查 {len(verdicts)} 个名称（{names.full_name}）：{summary}")

    @staticmethod
    def _school(names_of: str | None) -> tuple[SchoolNames, list[str]]:
        if names_of:
            try:
                data = json.loads(_read_text(names_of, "学校名称文件"))
            except json.JSONDecodeError as exc:
                raise CommandError(
                    f"学校名称文件“{names_of}”不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）"
                ) from exc
            try:
                return SchoolNames.from_json(data), []
            except ValueError as exc:
                raise CommandError(f"学校名称文件“{names_of}”：{exc}") from exc

        from beian.orgs.models import Institution
        from beian.registry.choices import FilingState
        from beian.registry.models import MediaAccount

        institution = Institution.objects.order_by("pk").first()
        if institution is None:
            raise CommandError(
                "数据库中还没有学校信息：请先在后台录入学校的全称、简称、英文名称、缩写和域名，"
                "或用 --names-of 指定学校名称 JSON 文件"
            )
        try:
            names = SchoolNames.from_institution(institution)
        except ValueError as exc:
            raise CommandError(f"学校“{institution}”的名称不完整：{exc}") from exc
        registered = list(
            MediaAccount.objects.filter(filing_state=FilingState.FILED).values_list(
                "name", flat=True
            )
        )
        return names, registered
