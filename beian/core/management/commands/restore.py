"""`manage.py restore IN`: restore a backup onto an empty installation (an empty database and
an empty MEDIA_ROOT), then verify the audit chain against the head the backup recorded."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beian.core import auditchain, backup


class Command(BaseCommand):
    help = "把 backup 生成的备份恢复到一个全新的空安装（空数据库、空上传目录），并校验审计链。"

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="backup 生成的 .tar 文件")

    def handle(self, *args, source, **options):
        try:
            manifest = backup.restore(source)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        result = auditchain.verify()
        head = manifest["audit_head"]
        if not result.ok:
            raise CommandError(f"已恢复，但审计链校验未通过：{result.message}", returncode=1)
        if (result.head_seq, result.head_hash) != (head["seq"], head["hash"]):
            raise CommandError(
                f"已恢复，但审计链头（链序号 {result.head_seq}）与备份清单（{head['seq']}）不符",
                returncode=1,
            )
        self.stdout.write(
            f"已从 {source} 恢复：数据库与 {len(manifest['files']) - 1} 个上传文件；"
            f"审计链完整（{result.rows} 行，链头链序号 {result.head_seq}）。"
        )
