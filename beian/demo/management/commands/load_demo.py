"""`manage.py load_demo`: load the demo school (see docs/demo.md). Called by `make run`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from beian.demo.loader import DemoRefusedError, demo_load
from beian.demo.school import PASSWORD


class Command(BaseCommand):
    help = "导入演示数据：华北水利水电大学的单位、人员、新媒体账号、群聊和每个角色的演示登录账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="参考日期 YYYY-MM-DD（最近发布、临时群截止等日期以此为准），默认今天",
        )

    def handle(self, *args, today=None, **options):
        try:
            summary = demo_load(today=today)
        except DemoRefusedError as exc:
            raise CommandError(str(exc)) from exc
        if not summary.loaded:
            self.stdout.write("演示数据已存在，未重复导入")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入演示数据：单位 {summary.units} 个，人员 {summary.people} 人，"
                f"账号 {summary.accounts} 个，群聊 {summary.groups} 个，"
                f"登录账号 {summary.logins} 个（密码 {PASSWORD}），用时 {summary.seconds:.1f} 秒"
            )
        )
