"""Rules on work chat groups (工作群): registration or filing, temporary groups past their
end, outside members, creators and admins who left, and missing data."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.orgs.choices import PersonStatus
from beian.registry.choices import GroupStatus
from beian.registry.models import GroupMember

from ..choices import Severity, TargetKind
from .base import Breach, Rule, evidence, register
from .common import ROLE_LABELS, STATUS_LABELS, active_groups, last_month_ended_by


@register
class GroupUnregistered(Rule):
    code = "group_unregistered"
    title = _("工作群未报备")
    explanation = _("成员达到规定人数的工作群须报备登记。请核实后报备；已无存在价值的群请解散。")
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 002 §二.3、003 §一.4（10 人及以上）"

    def enabled(self, policy):
        # With groups_require_filing a group is registered by an approved filing only, and
        # group_not_filed looks at the filing instead.
        return not policy.filing.groups_require_filing

    def parameters(self, policy):
        return {
            "groups.register_min_members": policy.groups.register_min_members,
            "filing.groups_require_filing": policy.filing.groups_require_filing,
        }

    def evaluate(self, ctx, chunk):
        needed = ctx.policy.groups.register_min_members
        rows = (
            active_groups()
            .filter(chunk.q(), registered=False, member_count__gte=needed)
            .values_list("pk", "owner_unit_id", "member_count")
        )
        template = gettext("群成员 %(n)s 人，达到 %(needed)s 人须报备，尚未报备")
        return {
            pk: Breach(unit_id, template % {"n": n, "needed": needed}) for pk, unit_id, n in rows
        }


@register
class GroupNotFiled(Rule):
    code = "group_not_filed"
    title = _("工作群未经备案审批")
    explanation = _(
        "本校规定工作群须先提交群聊备案，经审批通过后方可登记使用。请在群聊页面提交“群聊备案”；"
        "已无存在价值的群请解散。"
    )
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 000 §一.二（各类工作群创建前须备案）、004（QQ工作群须备案）"

    def enabled(self, policy):
        return policy.filing.groups_require_filing

    def parameters(self, policy):
        return {
            "filing.groups_require_filing": policy.filing.groups_require_filing,
            "groups.register_min_members": policy.groups.register_min_members,
        }

    def evaluate(self, ctx, chunk):
        from beian.filings.choices import FilingKind, FilingStatus
        from beian.filings.models import Filing

        needed = ctx.policy.groups.register_min_members
        filings = Filing.objects.filter(group_id=OuterRef("pk"), kind=FilingKind.GROUP)
        pending = [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED]
        rows = (
            active_groups()
            .filter(chunk.q(), member_count__gte=needed)
            .annotate(
                approved=Exists(filings.filter(status=FilingStatus.APPROVED)),
                open=Exists(filings.filter(status__in=pending)),
            )
            .filter(approved=False)
            .values_list("pk", "owner_unit_id", "member_count", "registered", "open")
        )
        waiting = gettext("群聊备案尚未审批通过（群成员 %(n)s 人）")
        by_hand = gettext(
            "标记为已报备，但没有审批通过的群聊备案（群成员 %(n)s 人）；请取消“已报备”后提交群聊备案"
        )
        missing = gettext("群成员 %(n)s 人，须提交群聊备案并经审批，尚未备案")
        found = {}
        for pk, unit_id, n, registered, is_open in rows:
            template = waiting if is_open else by_hand if registered else missing
            state = "open" if is_open else "registered" if registered else "none"
            found[pk] = Breach(unit_id, template % {"n": n}, evidence(state, needed))
        return found


@register
class TemporaryGroupExpired(Rule):
    code = "temporary_group_expired"
    title = _("临时群到期未解散")
    explanation = _(
        "因特定时效性工作建立的临时群已过截止日期仍在使用。请及时解散（解散后保留记录），"
        "确需继续使用的请改为长期群并报备。"
    )
    severity = Severity.WARNING
    target = TargetKind.GROUP
    source = "seed 002 §二.3、003 §二.5"

    def parameters(self, policy):
        return {"groups.temporary_max_days": policy.groups.temporary_max_days}

    def evaluate(self, ctx, chunk):
        max_days = ctx.policy.groups.temporary_max_days
        expired = Q(temporary_until__lt=ctx.today)
        if max_days:
            # created in a month that ended more than max_days ago
            latest = ctx.today - timedelta(days=max_days + 1)
            expired |= Q(created_month__lte=last_month_ended_by(latest))
        rows = (
            active_groups()
            .filter(chunk.q(), expired, is_temporary=True)
            .values_list("pk", "owner_unit_id", "temporary_until", "created_month")
        )
        past_end = gettext("临时群截止日期 %(date)s 已过 %(days)s 天，仍在使用")
        too_old = gettext("临时群创建于 %(month)s，超过临时群最长存续 %(max)s 天")
        found = {}
        for pk, unit_id, until, created in rows:
            if until is not None and until < ctx.today:
                text = past_end % {"date": until.isoformat(), "days": (ctx.today - until).days}
            else:
                text = too_old % {"month": created.strftime("%Y-%m"), "max": max_days}
            found[pk] = Breach(unit_id, text, evidence(until, created))
        return found


@register
class GroupOutsideMembers(Rule):
    code = "group_outside_members"
    title = _("群内有校外人员")
    explanation = _("工作群中有校外人员。请核实其身份和入群必要性，注意信息发布范围。")
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（有无校外人员、校外人员人数）"

    def evaluate(self, ctx, chunk):
        rows = (
            active_groups()
            .filter(chunk.q(), has_outside_members=True)
            .values_list("pk", "owner_unit_id", "outside_member_count", "member_count")
        )
        counted = gettext("群内有校外人员 %(n)s 人（共 %(total)s 人）")
        uncounted = gettext("群内有校外人员（人数未登记，共 %(total)s 人）")
        found = {}
        for pk, unit_id, outside, total in rows:
            text = (counted if outside else uncounted) % {"n": outside, "total": total}
            found[pk] = Breach(unit_id, text, evidence(outside))
        return found


@register
class GroupAdminLeft(Rule):
    code = "group_admin_left"
    title = _("群创建人或管理员已离职或毕业")
    explanation = _(
        "工作群的创建人或管理员已离职或毕业。请移交群主和管理权限并更新登记信息，已无用的群请解散。"
    )
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（创建人）"

    def evaluate(self, ctx, chunk):
        gone = ~Q(creator__status=PersonStatus.IN_POST)
        creators = (
            active_groups()
            .filter(chunk.q(), gone, creator__isnull=False)
            .values_list("pk", "owner_unit_id", "creator_id", "creator__name", "creator__status")
        )
        bad: dict[int, list[tuple]] = defaultdict(list)
        units = {}
        for pk, unit_id, person_id, name, status in creators:
            units[pk] = unit_id
            bad[pk].append(("creator", person_id, name, status))
        admins = (
            GroupMember.objects.filter(chunk.q("record_id"), record__status=GroupStatus.ACTIVE)
            .exclude(person__status=PersonStatus.IN_POST)
            .order_by("record_id", "person_id")
            .values_list(
                "record_id",
                "record__owner_unit_id",
                "role",
                "person_id",
                "person__name",
                "person__status",
            )
        )
        for pk, unit_id, role, person_id, name, status in admins:
            units[pk] = unit_id
            bad[pk].append((role, person_id, name, status))
        found = {}
        for pk, people in bad.items():
            text = "；".join(
                f"{'创建人' if role == 'creator' else ROLE_LABELS.get(role, role)} {name} "
                f"{STATUS_LABELS.get(status, status)}"
                for role, _p, name, status in people
            )
            proof = evidence(*sorted(f"{role}:{p}:{status}" for role, p, _n, status in people))
            found[pk] = Breach(units[pk], text, proof)
        return found


@register
class GroupMissingData(Rule):
    code = "group_missing_data"
    title = _("群聊信息缺失")
    explanation = _("工作群须登记创建人（或群管理员）及其联系电话。请补全群聊信息。")
    severity = Severity.ATTENTION
    target = TargetKind.GROUP
    source = "seed 002 附件3（创建人、创建人电话）"

    def evaluate(self, ctx, chunk):
        admin = GroupMember.objects.filter(record_id=OuterRef("pk"))
        rows = (
            active_groups()
            .filter(chunk.q())
            .annotate(has_admin=Exists(admin))
            .filter(Q(creator__isnull=True, has_admin=False) | Q(creator__mobile=""))
            .values_list("pk", "owner_unit_id", "creator_id", "creator__name")
        )
        nobody = gettext("未登记创建人或群管理员")
        no_mobile = gettext("创建人 %(name)s 未登记手机号")
        found = {}
        for pk, unit_id, creator_id, creator_name in rows:
            text = nobody if creator_id is None else no_mobile % {"name": creator_name}
            found[pk] = Breach(unit_id, text, evidence(creator_id))
        return found
