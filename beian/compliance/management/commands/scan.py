"""`manage.py scan`: run the compliance rules over the whole registry now."""

import time

from django.core.management.base import BaseCommand, CommandError

from beian.compliance.engine import scan_all
from beian.compliance.rules import RULES


class Command(BaseCommand):
    help = "对整个台账运行合规检查规则（全面检查）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rule",
            action="append",
            dest="rules",
            metavar="CODE",
            help="只运行这些规则（可重复）；默认全部",
        )

    def handle(self, *args, rules=None, **options):
        unknown = sorted(set(rules or ()) - set(RULES))
        if unknown:
            raise CommandError(f"未知规则：{', '.join(unknown)}；可用：{', '.join(RULES)}")
        started = time.perf_counter()
        run = scan_all(rules=rules)
        self.stdout.write(
            f"检查了 {run.records} 条记录，用时 {time.perf_counter() - started:.1f} 秒：新发现 "
            f"{run.created}，重新打开 {run.reopened}，自动解决 {run.resolved}"
        )
