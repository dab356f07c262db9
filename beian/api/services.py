"""Writes of the api app: tokens, service accounts and the sheets sent for an import.

    token_create(actor=…, user=…, name=…, days=…)  → (ApiToken, secret shown once)
    token_revoke(actor=…, token=…)
    token_authenticate(secret)                      → ApiToken | None (marks it used)
    service_account_create(actor=…, username=…, purpose=…, role=…, unit=…)
    sheet_upload_preview(actor=…, kind=…, file_name=…, data=…, unit=…) → (upload, plan)
    sheet_upload_commit(actor=…, upload=…, drop=…)  → ImportOutcome

Every creation and revocation is audited in its transaction; a token's use is audited at
most once an hour per token (the first request after a quiet hour), and `last_used_at`
is written at most once a minute, so a busy script costs no write per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.transfer import services as transfer
from beian.users import services as users
from beian.users.choices import UNIT_ROLES, Role
from beian.users.leavers import refuse_leaver_token

from .models import ApiToken, ServiceAccount, SheetUpload

#: What a token starts with, so that a leaked one is recognisable (secret scanners).
TOKEN_PREFIX = "bn_"  # noqa: S105 (a prefix, not a secret)
#: Validity of a new token when none is asked for, and the longest allowed (days).
DEFAULT_DAYS = 90
MAX_DAYS = 366
#: A token's use is written to the audit log at most this often.
AUDIT_USE_EVERY = timedelta(hours=1)
#: `last_used_at` is brought up to date at most this often.
TOUCH_EVERY = timedelta(minutes=1)
#: Tokens a user may hold at once (not revoked, not expired).
MAX_TOKENS_PER_USER = 10
#: A sheet sent for preview can be committed for this long.
UPLOAD_MAX_AGE = timedelta(hours=2)
#: Roles a service account may be given: never the school admin's.
SERVICE_ROLES = (Role.AUDITOR, Role.LEADER, Role.UNIT_ADMIN, Role.LEAGUE_APPROVER)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_service_account(user) -> bool:
    return ServiceAccount.objects.filter(user_id=user.pk).exists()


def _may_manage_tokens_of(actor, user) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.pk == user.pk:
        return not is_service_account(actor)
    return actor.is_school_admin and is_service_account(user)


@transaction.atomic
def token_create(*, actor, name: str, user=None, days: int | None = DEFAULT_DAYS):
    """A new token for `user` (default: the actor): people make their own; the school
    admin makes those of service accounts. It expires after `days` (1 to 366). Returns
    the token and its secret, which is shown once and never stored."""
    user = user or actor
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDenied(_("您不能为该用户创建 API 令牌"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途，例如“网络中心有效性核验”")})
    if len(name) > 80:
        raise ValidationError({"name": _("令牌用途最多 80 个字")})
    if days is None or not 1 <= int(days) <= MAX_DAYS:
        raise ValidationError({"days": _("有效期须为 1 至 %(max)d 天") % {"max": MAX_DAYS}})
    if ApiToken.objects.usable().filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            _("每个用户最多同时持有 %(n)d 个有效令牌，请先撤销不用的令牌")
            % {"n": MAX_TOKENS_PER_USER}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        key_hash=hash_secret(secret),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=int(days)),
    )
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=token,
        detail={
            "action": "api_token_created",
            "owner": user.username,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once: its next request is refused. The owner revokes their own;
    the school admin any token (a person's leaked token, a service account's)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    allowed = actor.is_authenticated and (token.user_id == actor.pk or actor.is_school_admin)
    if not allowed:
        raise PermissionDenied(_("您不能撤销该令牌"))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        event=AuditEventType.UPDATE,
        actor=actor,
        obj=token,
        detail={"action": "api_token_revoked", "owner": token.user.username, "name": token.name},
    )
    return token


def token_authenticate(secret: str, *, request=None) -> ApiToken | None:
    """The usable token with this secret, its owner loaded, or None (unknown, revoked,
    expired, the owner disabled or, per the roster, gone: 离职 / 毕业). Marks it used; audits the use once an hour."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user", "user__person")
        .filter(key_hash=hash_secret(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if refuse_leaver_token(token.user, token=token, request=request):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        fields = {"last_used_at": now}
        audit_now = token.last_audited_at is None or now - token.last_audited_at >= AUDIT_USE_EVERY
        if audit_now:
            fields["last_audited_at"] = now
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(**fields)
            if audit_now:
                audit(
                    event=AuditEventType.OTHER,
                    actor=token.user,
                    obj=token,
                    request=request,
                    detail={
                        "action": "api_token_used",
                        "prefix": token.prefix,
                        "path": getattr(request, "path", "")[:200],
                    },
                )
        for key, value in fields.items():
            setattr(token, key, value)
    return token


@transaction.atomic
def service_account_create(
    *, actor, username: str, purpose: str, role: str, unit=None
) -> ServiceAccount:
    """A login for another campus system: no password anyone knows (a random one that
    is never shown), one role — never the school admin's — and its unit for unit-scoped
    roles. It signs in only with the tokens the school admin makes for it."""
    if not (actor.is_authenticated and actor.is_school_admin):
        raise PermissionDenied(_("只有学校管理员（宣传部）可以创建服务账号"))
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("请填写调用系统与用途")})
    if role not in SERVICE_ROLES:
        raise ValidationError(
            {"role": _("服务账号只能授予审计员、校领导、二级单位管理员或校团委审批人角色")}
        )
    if role in UNIT_ROLES and unit is None:
        raise ValidationError({"unit": _("该角色须指定管辖单位")})
    if role not in UNIT_ROLES:
        unit = None
    # A password nobody knows: 48 random characters with every class the validators ask.
    password = "Aa1!" + secrets.token_urlsafe(36)
    user = users.user_create(
        actor=actor, username=username, password=password, display_name=purpose[:64]
    )
    users.role_grant(actor=actor, user=user, role=role, unit=unit)
    account = ServiceAccount.objects.create(user=user, purpose=purpose, created_by=actor)
    audit(
        event=AuditEventType.CREATE,
        actor=actor,
        obj=user,
        detail={
            "action": "service_account_created",
            "purpose": purpose,
            "role": role,
            "unit": unit.name if unit else None,
        },
    )
    return account


# --- sheets sent for an import (upload → preview → commit) ---------------------------------


def _purge_old_uploads(now) -> None:
    SheetUpload.objects.filter(created_at__lt=now - UPLOAD_MAX_AGE).delete()


def sheet_upload_preview(*, actor, kind: str, file_name: str, data: bytes, unit=None):
    """Plan the import as the import page does (`transfer.import_preview`, same rules,
    writes nothing to the registry) and keep the file for the commit. Returns the upload
    and the plan."""
    if kind not in transfer.KINDS:
        raise ValidationError({"kind": _("不支持的导入类型：%(kind)s") % {"kind": kind}})
    plan = transfer.import_preview(
        actor=actor, kind=kind, file_name=file_name, data=data, unit=unit
    )
    now = timezone.now()
    with transaction.atomic():
        _purge_old_uploads(now)
        upload = SheetUpload.objects.create(
            key=secrets.token_urlsafe(16),
            user=actor,
            kind=kind,
            unit=unit,
            file_name=file_name[:255],
            data=data,
            digests={str(k): v for k, v in plan.digests().items()},
            error_rows=plan.error_rows(),
            created_at=now,
        )
    return upload, plan


def sheet_upload_commit(*, actor, upload: SheetUpload, drop=()):
    """Write the previewed sheet, all or nothing (`transfer.import_commit`): refused if
    error rows remain that are not dropped, or if any row would now be written differently
    from the preview. The upload is kept after a refusal (fix by dropping rows) and
    marked committed after success."""
    if upload.user_id != actor.pk:
        raise PermissionDenied(_("没有权限"))
    if upload.committed_at is not None:
        raise ValidationError(_("该表格已经导入，请勿重复提交"))
    if timezone.now() - upload.created_at > UPLOAD_MAX_AGE:
        raise ValidationError(_("预览已超过 2 小时，请重新上传"))
    drop = sorted({int(n) for n in drop})
    unknown = [n for n in drop if n not in upload.error_rows]
    if unknown:
        raise ValidationError(
            {"drop": _("只能舍弃有错误的行；第 %(rows)s 行没有错误") % {"rows": unknown}}
        )
    expected = {int(k): v for k, v in upload.digests.items() if int(k) not in drop}
    outcome = transfer.import_commit(
        actor=actor,
        kind=upload.kind,
        file_name=upload.file_name,
        data=bytes(upload.data),
        unit=upload.unit,
        drop=drop,
        expected=expected,
    )
    SheetUpload.objects.filter(pk=upload.pk).update(committed_at=timezone.now())
    return outcome


# --- roster files dropped into a folder (the nightly HR / student-affairs export) ----------

#: File name starts → import kind: people.xlsx, 人员-2026-12-05.csv, units.xlsx, 单位.xlsx …
DROP_KINDS = (("people", "people"), ("人员", "people"), ("units", "units"), ("单位", "units"))
DROP_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


def _drop_kind(name: str) -> str | None:
    lowered = name.lower()
    if not lowered.endswith(DROP_SUFFIXES):
        return None
    return next((kind for start, kind in DROP_KINDS if lowered.startswith(start)), None)


def roster_drop_process(*, folder, actor, report_to=()) -> list[dict]:
    """Import every roster file in `folder` (units first, then people) with the same
    preview rules as the import page, acting as `actor` (a service account with the
    right to import): a clean file is committed and moved to `done/`; a file with error
    rows, or one that cannot be read, is not written at all and moved to `failed/` with
    a `.txt` beside it listing the errors. One e-mail reports every file."""
    from pathlib import Path

    from django.core.mail import send_mail

    from beian.core.sheets.errors import SheetError

    folder = Path(folder)
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and _drop_kind(p.name)),
        key=lambda p: (_drop_kind(p.name) != "units", p.name),
    )
    results = []
    for path in files:
        kind = _drop_kind(path.name)
        data = path.read_bytes()
        result = {"file": path.name, "kind": kind}
        try:
            plan = transfer.import_preview(actor=actor, kind=kind, file_name=path.name, data=data)
            if plan.has_errors:
                result.update(ok=False, errors=_plan_errors(plan))
            else:
                outcome = transfer.import_commit(
                    actor=actor, kind=kind, file_name=path.name, data=data
                )
                result.update(ok=True, counts=outcome.detail["counts"])
        except SheetError as exc:
            result.update(ok=False, errors=[exc.message_zh])
        except (PermissionDenied, ValidationError, transfer.ImportBlocked) as exc:
            result.update(ok=False, errors=[str(exc)])
        target = folder / ("done" if result["ok"] else "failed")
        target.mkdir(exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        moved = target / f"{stamp}-{path.name}"
        path.replace(moved)
        if not result["ok"]:
            moved.with_suffix(moved.suffix + ".txt").write_text(
                "\n".join(result["errors"]) + "\n", "utf-8"
            )
        results.append(result)
    if results and report_to:
        send_mail(
            subject=_("人员名单自动导入：%(ok)d 个成功，%(failed)d 个未导入")
            % {
                "ok": sum(r["ok"] for r in results),
                "failed": sum(not r["ok"] for r in results),
            },
            message=_roster_report(results),
            from_email=None,
            recipient_list=list(report_to),
        )
    return results


def _plan_errors(plan) -> list[str]:
    lines = [m.message for m in plan.messages]
    for row in plan.rows:
        for message in row.errors:
            lines.append(
                _("第 %(row)d 行：%(message)s") % {"row": row.number, "message": message.message}
            )
    return lines[:200]


def _roster_report(results) -> str:
    lines = []
    for r in results:
        if r["ok"]:
            c = r["counts"]
            lines.append(
                _(
                    "✔ %(file)s：共 %(total)d 行，新增 %(new)d，修改 %(update)d，无变化 %(unchanged)d"
                )
                % {
                    "file": r["file"],
                    **{k: c.get(k, 0) for k in ("total", "new", "update", "unchanged")},
                }
            )
        else:
            lines.append(_("✘ %(file)s：未导入任何数据，移入 failed/") % {"file": r["file"]})
            lines.extend(f"    {e}" for e in r["errors"][:50])
    return "\n".join(lines) + "\n"
