"""`manage.py backup OUT`: the database (consistent while the site runs), the uploaded files
and the audit chain head in one .tar with a manifest of checksums (beian/core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beian.core import backup


class Command(BaseCommand):
    help = "备份数据库、上传文件与审计链头到一个 .tar 文件（含校验清单）；网站运行时也可执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "out", type=Path, help="备份文件路径，例如 /srv/backup/beian-2026-12-05.tar"
        )

    def handle(self, *args, out, **options):
        try:
            manifest = backup.backup(out)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        head = manifest["audit_head"]
        self.stdout.write(
            f"已备份到 {out}：数据库（{manifest['database']}）与 {len(manifest['files']) - 1} 个上传文件；"
            f"审计链头为链序号 {head['seq']}。"
        )
