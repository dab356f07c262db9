"""Rules on an account's team (管理队伍): who may be first responsible, responsible,
operator or reviewer, who has left, and how many reviewers an account needs."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.orgs.choices import CADRE_RANK, CadreLevel, PersonKind, PersonStatus, UnitKind
from beian.registry.choices import AccountStatus, TeamRole
from beian.registry.models import AccountMember

from ..choices import Severity
from .base import Breach, Rule, evidence, register
from .common import (
    OTHER_ROLES,
    RESPONSIBLE_ROLES,
    Member,
    account_members,
    describe,
    live_accounts,
    people_evidence,
)

#: Unit kinds whose accounts are student accounts (need a teacher advisor, seed 004 §3).
STUDENT_UNIT_KINDS = frozenset(
    {UnitKind.SCHOOL_STUDENT_ORG, UnitKind.STUDENT_ORG, UnitKind.CLASS, UnitKind.LEAGUE_BRANCH}
)


@register
class FirstResponsibleNotUnitHead(Rule):
    code = "first_responsible_not_unit_head"
    title = _("第一责任人不是单位负责人")
    explanation = _(
        "一级、二级账号的第一责任人应为所属二级单位的负责人（学院为党委书记，职能部门为主要负责人）。"
        "请在管理队伍中更正第一责任人，或在单位信息中更新负责人。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.一、003 §二.2、004 §二"

    def enabled(self, policy):
        return policy.team.first_responsible_must_be_unit_head

    def parameters(self, policy):
        return {
            "team.first_responsible_must_be_unit_head": policy.team.first_responsible_must_be_unit_head
        }

    def evaluate(self, ctx, chunk):
        accounts = dict(
            live_accounts()
            .filter(chunk.q(), tier__lte=2, is_personal=False)
            .values_list("pk", "owner_unit_id")
        )
        firsts = account_members(ctx, chunk, [TeamRole.FIRST_RESPONSIBLE])
        template = gettext("第一责任人为 %(names)s，不是%(unit)s的负责人 %(head)s")
        found = {}
        for pk, unit_id in accounts.items():
            members = firsts.get(pk)
            unit = ctx.units.second_level(unit_id)
            if not members or unit is None or unit.head_id is None:
                continue  # no first responsible: missing_required_data; no head: unknown
            if any(m.person_id == unit.head_id for m in members):
                continue
            text = template % {
                "names": "、".join(m.name for m in members),
                "unit": unit.name,
                "head": unit.head_name,
            }
            found[pk] = Breach(
                unit_id, text, evidence(unit.head_id, *sorted(m.person_id for m in members))
            )
        return found


@register
class FirstResponsibleNotCadre(Rule):
    code = "first_responsible_not_cadre"
    title = _("第一责任人不是处级干部")
    explanation = _(
        "账号的第一责任人须为本单位负责相关工作的处级党政干部。请在人员信息中登记其干部级别"
        "（处级含正处、副处），或在管理队伍中更正第一责任人。"
    )
    severity = Severity.WARNING
    source = "seed 004 §二、第三条（处级党政干部为第一责任人）"
    #: The level seed 004 asks for; the other seeds ask for none (the switch is off).
    required_level = CadreLevel.DIVISION

    def enabled(self, policy):
        return policy.team.first_responsible_must_be_cadre

    def parameters(self, policy):
        return {"team.first_responsible_must_be_cadre": policy.team.first_responsible_must_be_cadre}

    def evaluate(self, ctx, chunk):
        rows = (
            AccountMember.objects.filter(
                chunk.q("record_id"),
                role=TeamRole.FIRST_RESPONSIBLE,
                record__is_personal=False,
            )
            .exclude(record__status=AccountStatus.CLOSED)
            .order_by("record_id", "person_id")
            .values_list(
                "record_id",
                "record__owner_unit_id",
                "person_id",
                "person__name",
                "person__cadre_level",
            )
        )
        required = self.required_level
        wanted = CADRE_RANK[required]
        levels = dict(CadreLevel.choices)
        unrecorded = gettext("第一责任人 %(name)s 未登记干部级别，须为%(level)s党政干部")
        too_low = gettext("第一责任人 %(name)s 为%(actual)s，须为%(level)s党政干部")
        bad: dict[int, list[tuple]] = defaultdict(list)
        units: dict[int, int] = {}
        for record_id, unit_id, person_id, name, level in rows:
            if level and CADRE_RANK[level] >= wanted:
                continue
            units[record_id] = unit_id
            bad[record_id].append((person_id, name, level))
        found = {}
        for record_id, people in bad.items():
            text = "；".join(
                (too_low if level else unrecorded)
                % {"name": name, "actual": levels.get(level, level), "level": levels[required]}
                for _pk, name, level in people
            )
            proof = evidence(required, *(f"{pk}:{level}" for pk, _n, level in people))
            found[record_id] = Breach(units[record_id], text, proof)
        return found


class _PeopleRule(Rule):
    """Flags team members of given roles who fail a test about their person."""

    roles: tuple[str, ...] = ()

    def flagged(self, ctx, member: Member, account: tuple) -> bool:
        raise NotImplementedError

    #: How one flagged member is described; %(who)s, %(kind)s and %(status)s are filled in.
    message = "%(who)s %(status)s"

    def accounts(self, ctx, chunk):
        """{pk: (owner_unit_id, owner unit kind, is_personal)} of the accounts looked at."""
        rows = live_accounts().filter(chunk.q())
        columns = ("pk", "owner_unit_id", "owner_unit__kind", "is_personal")
        return ctx.for_chunk(
            "people_accounts",
            chunk,
            lambda: {row[0]: row[1:] for row in rows.values_list(*columns)},
        )

    def evaluate(self, ctx, chunk):
        members = account_members(ctx, chunk, self.roles)
        if not members:
            return {}
        accounts = self.accounts(ctx, chunk)
        template = str(self.message)
        found = {}
        for pk, team in members.items():
            account = accounts.get(pk)
            if account is None:
                continue
            bad = [m for m in team if self.flagged(ctx, m, account)]
            if bad:
                text = "；".join(template % describe(m) for m in bad)
                found[pk] = Breach(account[0], text, people_evidence(bad))
        return found


@register
class ResponsibleNotStaff(_PeopleRule):
    code = "responsible_not_staff"
    title = _("负责人不是教职工")
    explanation = _(
        "主管领导、第一责任人和负责人须由本校教职工担任，学生或校外人员不能担任。"
        "请更换为教职工，学生可担任“负责学生”。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.一（责任人必须是部门负责人）、003 §二.2（在职教职工）"
    roles = RESPONSIBLE_ROLES

    def enabled(self, policy):
        return policy.team.responsible_must_be_staff_in_post

    def parameters(self, policy):
        return {
            "team.responsible_must_be_staff_in_post": policy.team.responsible_must_be_staff_in_post
        }

    def flagged(self, ctx, member, account):
        return member.kind != PersonKind.STAFF

    message = _("%(who)s 为%(kind)s，须为教职工")


@register
class ResponsibleNotInPost(_PeopleRule):
    code = "responsible_not_in_post"
    title = _("负责人已离职或毕业")
    explanation = _(
        "账号的主管领导、第一责任人或负责人已离职或毕业，账号无人负责。"
        "请立即指定新的负责人，并在规定期限内报告变更。"
    )
    severity = Severity.SERIOUS
    source = "seed 001 §二、003 §二.2、004 第六条（管理人员变更须报备）"
    roles = RESPONSIBLE_ROLES

    def flagged(self, ctx, member, account):
        return member.status != PersonStatus.IN_POST


@register
class ReviewersNotStaff(_PeopleRule):
    code = "reviewers_not_staff"
    title = _("运营、审核人员不是教职工")
    explanation = _(
        "运营管理人员须为本校教职工（学生组织账号除外，其运营者可以是学生）；"
        "策略要求时，内容审核人也须为教职工。请调整管理队伍。"
    )
    severity = Severity.WARNING
    source = "seed 003 §二.2（运营管理负责人均须为我校在职教职工）、004 §二（审核负责人必须为本单位教师）"
    roles = (TeamRole.OPERATOR, TeamRole.REVIEWER)

    def enabled(self, policy):
        return policy.team.responsible_must_be_staff_in_post or policy.team.reviewers_must_be_staff

    def parameters(self, policy):
        return {
            "team.responsible_must_be_staff_in_post": policy.team.responsible_must_be_staff_in_post,
            "team.reviewers_must_be_staff": policy.team.reviewers_must_be_staff,
        }

    def flagged(self, ctx, member, account):
        if member.kind == PersonKind.STAFF:
            return False
        _unit, unit_kind, personal = account
        if member.role == TeamRole.REVIEWER:
            return ctx.policy.team.reviewers_must_be_staff
        return (
            ctx.policy.team.responsible_must_be_staff_in_post
            and not personal
            and unit_kind not in STUDENT_UNIT_KINDS
        )

    message = _("%(who)s 为%(kind)s，须为教职工")


@register
class TeamMemberLeft(_PeopleRule):
    code = "team_member_left"
    title = _("管理队伍成员已离职或毕业")
    explanation = _(
        "管理队伍中的管理员、运营者、审核人、指导教师或负责学生已离职或毕业。"
        "请从管理队伍中移除并补充人员，在规定期限内报告变更。"
    )
    severity = Severity.ATTENTION
    source = "seed 000 §一.一、001 §二、004 第六条"
    roles = OTHER_ROLES

    def flagged(self, ctx, member, account):
        return member.status != PersonStatus.IN_POST


@register
class StudentAccountWithoutAdvisor(Rule):
    code = "student_account_without_advisor"
    title = _("学生账号无指导教师")
    explanation = _(
        "学生组织（校级学生组织、学生组织、班级、团支部）的账号须由所属单位确定一名教师做好指导和管理。"
        "请在管理队伍中添加“指导教师”。"
    )
    severity = Severity.WARNING
    source = "seed 004 第三条"

    def enabled(self, policy):
        return policy.team.student_accounts_need_advisor

    def parameters(self, policy):
        return {"team.student_accounts_need_advisor": policy.team.student_accounts_need_advisor}

    def evaluate(self, ctx, chunk):
        advisor = AccountMember.objects.filter(record_id=OuterRef("pk"), role=TeamRole.ADVISOR)
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=False, owner_unit__kind__in=list(STUDENT_UNIT_KINDS))
            .filter(~Exists(advisor))
            .values_list("pk", "owner_unit_id", "owner_unit__name")
        )
        template = gettext("%(unit)s的学生账号未配备指导教师")
        return {
            pk: Breach(unit_id, template % {"unit": unit_name}) for pk, unit_id, unit_name in rows
        }


@register
class TooFewReviewers(Rule):
    code = "too_few_reviewers"
    title = _("内容审核人不足")
    explanation = _("发布内容须经规定人数的内容审核人审核。请在管理队伍中补足在职的“内容审核人”。")
    severity = Severity.ATTENTION
    source = "seed 004 §二（至少三人审核）"

    def enabled(self, policy):
        return policy.review.min_content_reviewers > 0

    def parameters(self, policy):
        return {"review.min_content_reviewers": policy.review.min_content_reviewers}

    def evaluate(self, ctx, chunk):
        needed = ctx.policy.review.min_content_reviewers
        reviewers = Q(members__role=TeamRole.REVIEWER) & Q(
            members__person__status=PersonStatus.IN_POST
        )
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=False)
            .annotate(n=Count("members__person", filter=reviewers, distinct=True))
            .filter(n__lt=needed)
            .values_list("pk", "owner_unit_id", "n")
        )
        template = gettext("在职内容审核人 %(n)s 人，少于要求的 %(needed)s 人")
        return {
            pk: Breach(unit_id, template % {"n": n, "needed": needed}, evidence(n, needed))
            for pk, unit_id, n in rows
        }
