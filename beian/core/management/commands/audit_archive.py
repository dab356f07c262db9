"""`manage.py audit_archive [--before DATE] [--out DIR]`: move audit rows older than the
policy's online window (`[audit] online_days`, never fewer than 184 days) to a sealed,
compressed archive file, verify it, then remove them from the database."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from beian.core import auditarchive
from beian.core.policy import get_policy


def _date(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--before 应为日期，例如 2026-01-01，而不是“{text}”") from None
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


class Command(BaseCommand):
    help = "将超过在线保留期的审计日志归档到加封的压缩文件，校验后从数据库移除。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--before", type=_date, help="只归档此日期之前的记录（仍不会超过保留期）"
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="归档文件目录（默认 BEIAN_DATA_DIR/audit-archive）",
        )

    def handle(self, *args, before, out, **options):
        out = out or Path(settings.DATA_DIR) / "audit-archive"
        days = get_policy().audit.online_days
        limit = auditarchive.cutoff(days, before)
        try:
            record = auditarchive.archive(out_dir=out, online_days=days, before=before)
        except auditarchive.ArchiveError as exc:
            raise CommandError(str(exc), returncode=1) from None
        if record is None:
            self.stdout.write(f"没有早于 {limit:%Y-%m-%d %H:%M} 的审计记录需要归档。")
            return
        self.stdout.write(
            f"已归档 {record.rows} 行（链序号 {record.first_seq}–{record.last_seq}）到 "
            f"{out / record.file_name}，并已从数据库移除。"
        )
