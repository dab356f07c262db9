"""The content of a request (the 备案表 and its 管理队伍 table): which fields it may
carry, how they are assigned, checked when saved and completed before submission, and,
for a change report, which kinds of change it makes compared with the registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from beian.core.validators import normalize_phone
from beian.registry.choices import TeamRole
from beian.registry.models import MediaAccount
from beian.registry.spec import derive_tier
from beian.users.models import User

from ..choices import NUMBERED_KINDS, REGISTERING_KINDS, FilingKind
from ..models import Filing, FilingMember
from ..pledge import PLEDGE_VERSION

#: Fields of the form (备案表) a request carries; `fields` passed to the services may hold
#: only these.
FORM_FIELDS = (
    "owner_unit",
    "guiding_unit",
    "is_personal",
    "platform",
    "account_name",
    "external_id",
    "url",
    "responsible_name",
    "responsible_post",
    "responsible_phone",
    "created_month",
    "goes_live_on",
    "verified",
    "verified_month",
    "columns",
    "update_frequency",
    "introduction",
    "change_kinds",
    "effective_on",
    "reason",
    "closing_on",
)
#: Team-row keys (the form's 管理队伍 table).
MEMBER_FIELDS = ("role", "name", "identity", "unit_name", "post", "mobile", "qq", "email", "person")
#: Roles that carry the responsibility (a change of these is a change of "responsible").
RESPONSIBLE_ROLES = frozenset({TeamRole.SUPERVISOR, TeamRole.FIRST_RESPONSIBLE})
#: Account fields a change of "way of running" (维护方式) touches.
OPERATION_FIELDS = ("external_id", "url", "update_frequency", "columns", "introduction")

Team = Iterable[Mapping[str, Any]]


def check_keys(fields: Mapping[str, Any]) -> None:
    """Refuse keys that are not fields of the form (a programming error, not bad input)."""
    unknown = set(fields) - set(FORM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def assign(filing: Filing, fields: Mapping[str, Any]) -> None:
    """Copy the form's values onto the request: text trimmed (except the long texts),
    months kept as their first day."""
    for key, value in fields.items():
        if isinstance(value, str) and key not in ("columns", "introduction", "reason"):
            value = value.strip()
        if key in ("created_month", "verified_month") and value:
            value = value.replace(day=1)
        setattr(filing, key, value)


def tier_of(filing: Filing) -> int:
    """The request's tier: the account's own, or derived from the unit for a new one."""
    if filing.account_id:
        return filing.account.tier
    return derive_tier(unit_kind=filing.owner_unit.kind, is_personal=filing.is_personal)


def accept_pledge(filing: Filing, actor: User, accepted: bool) -> None:
    """Record that `actor` accepted the current version of the pledge (承诺书)."""
    if accepted:
        filing.pledge_version = PLEDGE_VERSION
        filing.pledge_accepted_at = timezone.now()
        filing.pledge_accepted_by = actor


def _pledge_required(filing: Filing, policy) -> bool:
    if filing.kind in REGISTERING_KINDS:
        return policy.filing.pledge_required
    if filing.kind == FilingKind.CHANGE:
        return policy.changes.pledge_required
    return False


def validate(filing: Filing) -> None:
    """Check what was typed, whenever the request is saved: the model's own rules, the
    platform and its account format, a clash with a registered account, and dates."""
    errors: dict[str, list] = {}
    try:
        filing.full_clean(
            exclude=["applicant", "account", "group", "second_unit", "pledge_accepted_by"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    today = timezone.localdate()
    if filing.kind in NUMBERED_KINDS:
        if filing.platform_id is None:
            errors.setdefault("platform", []).append(_("请选择媒体平台"))
        elif filing.platform.for_groups:
            errors.setdefault("platform", []).append(_("请选择新媒体平台，群聊请办理群聊备案"))
        if filing.platform_id and filing.external_id:
            if not filing.platform.address_matches(filing.external_id):
                errors.setdefault("external_id", []).append(
                    _("不符合%(platform)s的账号格式：%(hint)s")
                    % {"platform": filing.platform.name, "hint": filing.platform.address_hint}
                )
            clash = MediaAccount.objects.filter(
                platform=filing.platform, external_id=filing.external_id
            ).exclude(pk=filing.account_id)
            if clash.exists():
                errors.setdefault("external_id", []).append(
                    _("该平台下已登记相同账号，如为已开通账号请办理补办备案")
                )
        if filing.verified and not filing.verified_month:
            errors.setdefault("verified_month", []).append(_("已认证的账号请填写认证时间"))
        if filing.kind == FilingKind.NEW and filing.goes_live_on and filing.goes_live_on < today:
            errors.setdefault("goes_live_on", []).append(
                _("已开通运行的账号请办理补办备案，而非新开设备案")
            )
    if filing.kind == FilingKind.CHANGE and filing.effective_on and filing.effective_on > today:
        errors.setdefault("effective_on", []).append(_("变更生效日期不能晚于今天"))
    if filing.kind == FilingKind.CLOSING and filing.closing_on and filing.closing_on > today:
        errors.setdefault("closing_on", []).append(_("注销/解散日期不能晚于今天"))
    if errors:
        raise ValidationError(errors)


def check_complete(filing: Filing, policy) -> None:
    """What must be filled in before a request goes to its approvers."""
    errors: dict[str, str] = {}
    required: tuple[str, ...] = ()
    if filing.kind == FilingKind.NEW:
        required = ("account_name", "platform", "responsible_name", "goes_live_on")
    elif filing.kind == FilingKind.LATE:
        required = ("account_name", "platform", "responsible_name")
    elif filing.kind == FilingKind.GROUP:
        required = ("responsible_name",)
    elif filing.kind == FilingKind.CHANGE:
        required = ("effective_on",)
    elif filing.kind == FilingKind.CLOSING:
        required = ("reason", "closing_on")
    for name in required:
        if getattr(filing, name) in (None, ""):
            label = Filing._meta.get_field(name).verbose_name
            errors[name] = _("请填写%(field)s") % {"field": label}
    if _pledge_required(filing, policy) and not filing.pledge_accepted_at:
        errors["pledge"] = _("请阅读并接受《网络信息安全承诺书》")
    if filing.kind == FilingKind.CHANGE and not filing.change_kinds:
        errors["change_kinds"] = _("没有发现变更：请修改变更后的内容或勾选变更事项")
    if filing.kind in NUMBERED_KINDS and not filing.members.exists():
        errors["team"] = _("请至少填写一名管理队伍成员")
    if errors:
        raise ValidationError(errors)


def write_team(filing: Filing, team: Team) -> None:
    """Write the team rows of the request, each checked; an error names its row."""
    rows = []
    errors = []
    for position, raw in enumerate(team):
        data = {k: raw.get(k) for k in MEMBER_FIELDS if raw.get(k) not in (None, "")}
        unknown = set(raw) - set(MEMBER_FIELDS)
        if unknown:
            raise TypeError(f"unknown team fields: {', '.join(sorted(unknown))}")
        if not data.get("name") and data.get("person") is not None:
            data["name"] = data["person"].name
        if "mobile" in data:
            data["mobile"] = normalize_phone(data["mobile"])
        row = FilingMember(filing=filing, position=position, **data)
        try:
            row.full_clean(exclude=["filing"])
        except ValidationError as exc:
            errors.append(
                _("管理队伍第 %(n)d 行：%(msg)s")
                % {
                    "n": position + 1,
                    "msg": "；".join(m for ms in exc.message_dict.values() for m in ms),
                }
            )
        rows.append(row)
    if errors:
        raise ValidationError({"team": errors})
    FilingMember.objects.bulk_create(rows)


def detect_change_kinds(filing: Filing) -> None:
    """Which kinds of change the report makes, found by comparing it with the registry,
    plus what the reporter ticked."""
    account = filing.account
    kinds = set(filing.change_kinds or ())
    if filing.account_name != account.name:
        kinds.add("name")
    if any(getattr(filing, n) != getattr(account, n) for n in OPERATION_FIELDS) or (
        filing.guiding_unit_id != account.guiding_unit_id
    ):
        kinds.add("operation")
    current = {(m.role, m.person.name) for m in account.members.select_related("person")}
    proposed = {(m.role, m.name) for m in filing.members.all()}
    if filing.responsible_name and not any(
        role == TeamRole.FIRST_RESPONSIBLE for role, _n in proposed
    ):
        proposed.add((TeamRole.FIRST_RESPONSIBLE, filing.responsible_name))
    responsible_changed = {x for x in current ^ proposed if x[0] in RESPONSIBLE_ROLES}
    if responsible_changed:
        kinds.add("responsible")
    if {x for x in current ^ proposed if x[0] not in RESPONSIBLE_ROLES}:
        kinds.add("team")
    filing.change_kinds = sorted(kinds)
    filing.save(update_fields=["change_kinds", "updated_at"])


def snapshot(filing: Filing) -> dict[str, Any]:
    """The form's values, to compare before and after an edit."""
    return {name: getattr(filing, name) for name in FORM_FIELDS}


def summary(filing: Filing) -> dict[str, Any]:
    """What the audit row of a new request says about it."""
    return {
        "kind": filing.kind,
        "name": filing.account_name,
        "unit": str(filing.owner_unit),
        "tier": filing.tier,
    }


def team_text(filing: Filing) -> str:
    """The team as one line, to compare before and after an edit."""
    return "、".join(f"{m.get_role_display()}：{m.name}" for m in filing.members.all())
