"""`manage.py poll_feeds`: check the accounts' RSS / Atom feeds that are due."""

from django.core.management.base import BaseCommand

from beian.compliance.activity import MAX_PER_RUN, poll_feeds


class Command(BaseCommand):
    help = "抓取到期的账号订阅源（RSS/Atom），更新最近发布日期"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=MAX_PER_RUN, help="本次最多抓取的订阅源数")

    def handle(self, *args, limit, **options):
        stats = poll_feeds(limit=limit)
        self.stdout.write(
            f"抓取 {stats.checked} 个订阅源：未变化 {stats.not_modified}，更新最近发布日期 "
            f"{stats.updated}，失败 {stats.failed}，留待下次 {stats.deferred}"
        )
