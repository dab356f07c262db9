"""`manage.py audit_verify [--archive FILE ...]`: check the audit chain (or archive files,
offline). Exits 0 when intact; otherwise 1, naming the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from beian.core import auditarchive, auditchain


class Command(BaseCommand):
    help = "校验审计日志的哈希链（或归档文件）；发现篡改时以非零状态退出并指出第一条异常记录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--archive",
            action="append",
            default=[],
            metavar="FILE",
            help="校验 audit_archive 生成的归档文件（可多次给出），无需数据库中的记录",
        )

    def handle(self, *args, archive, **options):
        if archive:
            for path in archive:
                result = auditarchive.verify_file(path)
                if not result.ok:
                    raise CommandError(f"{path}：{result.message}", returncode=1)
                self.stdout.write(
                    f"{path}：归档完整，{result.rows} 行（链序号 {result.first_seq}–"
                    f"{result.last_seq}，末行校验值 {result.head_hash}）"
                )
            return
        result = auditchain.verify()
        if not result.ok:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(
            f"审计链完整：在线 {result.rows} 行，链头为链序号 {result.head_seq}"
            f"（校验值 {result.head_hash or '—'}）"
        )
