"""Rules on an account's own record: one official account per platform and unit, the
audience threshold of tier 3, verification, running before approval, required data, and
the name guard's verdicts on its name."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.registry.choices import FilingState, TeamRole
from beian.registry.models import MediaAccount
from beian.registry.tables import format_audience

from ..choices import Severity
from ..nameguard import NameClass
from .base import Breach, Rule, evidence, register
from .common import FILING_LABELS, account_members, active_accounts, live_accounts

#: Platforms on which an organisation can be verified (认证).
VERIFIABLE_PLATFORMS = frozenset(
    {
        "wechat_official",
        "weibo",
        "douyin",
        "kuaishou",
        "bilibili",
        "wechat_channels",
        "xiaohongshu",
        "toutiao",
    }
)


@register
class DuplicateOfficial(Rule):
    code = "duplicate_official"
    title = _("同一平台多个官方账号")
    explanation = _(
        "一个单位在每个平台只能有一个代表本单位的官方账号。"
        "请保留一个官方账号，其余取消“单位官方账号”标记、整合或注销。"
    )
    severity = Severity.WARNING
    source = "seed 000 §一.三（唯一性）"

    def enabled(self, policy):
        return policy.registry.one_official_per_platform

    def parameters(self, policy):
        return {"registry.one_official_per_platform": policy.registry.one_official_per_platform}

    def official(self):
        return active_accounts().filter(is_official=True)

    def expand(self, ids):
        ids = list(ids)
        mine = MediaAccount.objects.filter(pk__in=ids)  # official or no longer
        peers = self.official().filter(
            Exists(
                mine.filter(
                    owner_unit_id=OuterRef("owner_unit_id"), platform_id=OuterRef("platform_id")
                )
            )
        )
        return sorted(set(ids) | set(peers.values_list("pk", flat=True)))

    def evaluate(self, ctx, chunk):
        duplicates = ctx.memo(self.code, self.all_duplicates)
        return {pk: breach for pk, breach in duplicates.items() if chunk.contains(pk)}

    def all_duplicates(self) -> dict[int, Breach]:
        """Every duplicated official account of the registry (two queries, once a scan:
        duplicates are few, and a chunk alone cannot tell)."""
        pairs = (
            self.official()
            .values("owner_unit_id", "platform_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        rows = (
            self.official()
            .filter(owner_unit_id__in=pairs.values("owner_unit_id"))
            .order_by("pk")
            .values_list("pk", "owner_unit_id", "platform_id", "name", "platform__name")
        )
        accounts: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
        for pk, unit_id, platform_id, name, platform_name in rows:
            accounts[unit_id, platform_id].append((pk, name, platform_name))
        template = gettext("本单位在%(platform)s有 %(n)s 个官方账号：%(names)s")
        found = {}
        for (unit_id, _platform), same in accounts.items():
            if len(same) < 2:
                continue
            text = template % {
                "platform": same[0][2],
                "n": len(same),
                "names": "、".join(name for _pk, name, _p in same),
            }
            proof = evidence(*(pk for pk, _n, _p in same))
            for pk, _name, _p in same:
                found[pk] = Breach(unit_id, text, proof)
        return found


@register
class Tier3AboveThresholdNotFiled(Rule):
    code = "tier3_above_threshold_not_filed"
    title = _("三级账号粉丝超过门槛未备案")
    explanation = _(
        "粉丝（关注）数超过门槛的三级账号必须在党委宣传部备案登记。请尽快提交备案申请。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.二（微博粉丝超过 5 万、公众号关注超过 1 万）"

    def enabled(self, policy):
        return bool(policy.audience_thresholds)

    def parameters(self, policy):
        return {f"audience_thresholds.{k}": v for k, v in policy.audience_thresholds.items()}

    def evaluate(self, ctx, chunk):
        thresholds = ctx.policy.audience_thresholds
        above = Q()
        for code, threshold in thresholds.items():
            above |= Q(platform__code=code, audience__gt=threshold)
        rows = (
            live_accounts()
            .filter(chunk.q(), above, tier=3)
            .exclude(filing_state=FilingState.FILED)
            .values_list(
                "pk",
                "owner_unit_id",
                "audience",
                "platform__code",
                "platform__name",
                "platform__audience_word",
                "filing_state",
            )
        )
        template = gettext(
            "三级账号%(word)s %(n)s，超过%(platform)s的备案门槛 %(limit)s，当前%(state)s"
        )
        found = {}
        for pk, unit_id, audience, code, platform, word, filing in rows:
            text = template % {
                "word": word or "关注",
                "n": format_audience(audience),
                "platform": platform,
                "limit": format_audience(thresholds[code]),
                "state": FILING_LABELS.get(filing, filing),
            }
            found[pk] = Breach(unit_id, text, evidence(code, filing))
        return found


@register
class AccountNotVerified(Rule):
    code = "account_not_verified"
    title = _("未取得平台认证")
    explanation = _(
        "单位官方账号应取得所在平台的认证（如微信公众号、微博的机构认证）。"
        "取得认证后请在账号信息中填写认证时间。"
    )
    severity = Severity.INFO
    source = "seed 000 §一.三（取得相关平台的认证）"

    def enabled(self, policy):
        return bool(policy.registry.verification_required_tiers)

    def parameters(self, policy):
        return {"registry.verification_required_tiers": policy.registry.verification_required_tiers}

    def evaluate(self, ctx, chunk):
        rows = (
            active_accounts()
            .filter(
                chunk.q(),
                verified=False,
                is_personal=False,
                tier__in=list(ctx.policy.registry.verification_required_tiers),
                platform__code__in=sorted(VERIFIABLE_PLATFORMS),
            )
            .values_list("pk", "owner_unit_id", "platform__name")
        )
        template = gettext("未取得%(platform)s平台认证")
        return {
            pk: Breach(unit_id, template % {"platform": platform}) for pk, unit_id, platform in rows
        }


@register
class LiveBeforeApproval(Rule):
    code = "live_before_approval"
    title = _("未备案运行")
    explanation = _("账号须经审批备案后方可开通。已在运营而未完成备案的账号，请按程序补办备案。")
    severity = Severity.WARNING
    source = "seed 001 §一、002 §二.4、004 第四条、第七条（补办备案）"

    def evaluate(self, ctx, chunk):
        rows = (
            active_accounts()
            .filter(chunk.q(), is_personal=False)
            .exclude(filing_state=FilingState.FILED)
            .values_list("pk", "owner_unit_id", "filing_state")
        )
        template = gettext("账号正在运营，备案状态为“%(state)s”")
        return {
            pk: Breach(unit_id, template % {"state": FILING_LABELS.get(state, state)}, state)
            for pk, unit_id, state in rows
        }


@register
class MissingRequiredData(Rule):
    code = "missing_required_data"
    title = _("必填信息缺失")
    explanation = _(
        "备案表要求的信息不全：负责人、负责人手机号、账号或网址。请补全账号信息和管理队伍。"
    )
    severity = Severity.ATTENTION
    source = "seed 000 附件1、002 附件1/2（备案表、汇总表的必填栏目）"

    def evaluate(self, ctx, chunk):
        accounts = live_accounts().filter(chunk.q())
        rows = accounts.values_list("pk", "owner_unit_id", "external_id", "url")
        responsible = account_members(
            ctx, chunk, [TeamRole.FIRST_RESPONSIBLE, TeamRole.RESPONSIBLE]
        )
        no_one = gettext("未登记第一责任人或负责人")
        no_mobile = gettext("%(who)s 未登记手机号")
        no_address = gettext("未填写账号或网址")
        found = {}
        for pk, unit_id, external_id, url in rows:
            missing = []
            people = responsible.get(pk, [])
            if not people:
                missing.append(no_one)
            missing += [no_mobile % {"who": m.label} for m in people if not m.mobile]
            if not external_id and not url:
                missing.append(no_address)
            if missing:
                found[pk] = Breach(unit_id, "；".join(missing), evidence(*missing))
        return found


# Names ------------------------------------------------------------------------------------------


@register
class PersonalUsesSchoolName(Rule):
    code = "personal_uses_school_name"
    title = _("个人账号使用学校名称")
    explanation = _(
        "以个人名义开设、名称中使用学校或单位名称的账号须在党委宣传部备案"
        "（策略禁止时须更名或注销）。请督促本人备案、更名或注销。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.三、002 §一.1、003 §一.3"

    def parameters(self, policy):
        return {"registry.personal_name_use": policy.registry.personal_name_use}

    def evaluate(self, ctx, chunk):
        forbid = ctx.policy.registry.personal_name_use == "forbid"
        rows = (
            live_accounts()
            .filter(chunk.q(), is_personal=True)
            .values_list("pk", "owner_unit_id", "name", "filing_state")
        )
        found = {}
        for pk, unit_id, name, filing in rows:
            verdict = ctx.verdict(name, registered=filing == FilingState.FILED)
            if verdict is None or not verdict.matched:
                continue  # unrelated, or filed without the school's name in it
            if verdict.name_class == NameClass.IMITATES:
                continue  # name_imitates_school
            if forbid:
                text = _("个人账号名称使用学校名称（个人不得以学校名义开设账号）：%(reason)s")
            elif filing != FilingState.FILED:
                text = _("个人账号名称使用学校名称，当前%(state)s：%(reason)s")
            else:
                continue
            text = text % {
                "reason": verdict.reason.removeprefix("已备案账号，"),
                "state": FILING_LABELS.get(filing, filing),
            }
            found[pk] = Breach(unit_id, str(text), evidence(name, filing, forbid))
        return found


@register
class NameImitatesSchool(Rule):
    code = "name_imitates_school"
    title = _("名称仿冒学校名称")
    explanation = _(
        "账号名称以谐音、形近字、改换学校类型或污名化（恶搞、贬损）等方式仿冒学校名称。"
        "不得以学校名称谐音、污名化方式命名，请督促更名或注销。"
    )
    severity = Severity.SERIOUS
    source = "seed 000 §一.三、003 §二.2（不得以學校名稱諧音、污名化方式命名）"

    def evaluate(self, ctx, chunk):
        rows = (
            live_accounts()
            .filter(chunk.q())
            .values_list("pk", "owner_unit_id", "name", "filing_state")
        )
        found = {}
        for pk, unit_id, name, filing in rows:
            verdict = ctx.verdict(name, registered=filing == FilingState.FILED)
            if verdict is None or verdict.name_class != NameClass.IMITATES:
                continue
            text = _("名称“%(name)s”疑似仿冒“%(matched)s”：%(reason)s") % {
                "name": name,
                "matched": verdict.matched,
                "reason": verdict.reason,
            }
            found[pk] = Breach(unit_id, str(text), evidence(name))
        return found
