"""Rules on whether an account is still in use: 长期未更新 / 僵尸号 from its last post date,
and 缺少发布记录 when no source gave one (docs/compliance.md#activity)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beian.registry.choices import ActivitySource
from beian.registry.models import MediaAccount

from ..choices import Severity, TargetKind
from .base import Breach, Rule, evidence, register
from .common import active_accounts

#: How a last-post date's source is named in the findings.
ACTIVITY_SOURCE_LABELS = dict(ActivitySource.choices)


def activity_source_label(source: str) -> str:
    return str(ACTIVITY_SOURCE_LABELS.get(source, gettext("来源未登记")))


class _Zombie(Rule):
    """No update for N days, on real evidence only: the account's last post date (the
    newest claim of the operator, the inspection, its feed or an import column, see
    `beian.registry.activity`). An account with no date is not judged here but by
    `activity_unknown`: no evidence is "unknown", never "zombie". Only accounts in
    operation (运营中) are looked at; the message names the date's source."""

    source = "seed 002 §二.2（半年以上未更新）、003 §二.4（三个月以上无更新）、004 §三"
    target = TargetKind.ACCOUNT

    def bounds(self, policy) -> tuple[int, int | None]:
        """Idle days [low, high) that this rule covers."""
        raise NotImplementedError

    def threshold(self, policy) -> int:
        return self.bounds(policy)[0]

    def parameters(self, policy):
        return {
            "zombie.warn_after_days": policy.zombie.warn_after_days,
            "zombie.close_after_days": policy.zombie.close_after_days,
        }

    def evaluate(self, ctx, chunk):
        low, high = self.bounds(ctx.policy)
        idle = Q(last_post_date__lte=ctx.today - timedelta(days=low))
        if high is not None:  # and fewer than `high` days
            idle &= Q(last_post_date__gt=ctx.today - timedelta(days=high))
        rows = (
            active_accounts()
            .filter(chunk.q(), idle)
            .values_list("pk", "owner_unit_id", "last_post_date", "last_post_source")
        )
        threshold = self.threshold(ctx.policy)
        text = gettext(
            "最近发布于 %(date)s（来源：%(source)s），已 %(idle)s 天未更新（阈值 %(limit)s 天）"
        )
        found = {}
        for pk, unit_id, last_post, source in rows:
            message = text % {
                "date": last_post.isoformat(),
                "source": activity_source_label(source),
                "idle": (ctx.today - last_post).days,
                "limit": threshold,
            }
            found[pk] = Breach(unit_id, message, evidence(last_post, source))
        return found


@register
class ZombieWarn(_Zombie):
    code = "zombie_warn"
    title = _("长期未更新")
    explanation = _(
        "账号超过提醒期限没有发布内容。请尽快恢复更新，或由运营者填报最近发布日期；"
        "继续停更将被视为“僵尸号”，应予注销或整合。"
    )
    severity = Severity.ATTENTION

    def bounds(self, policy):
        return policy.zombie.warn_after_days, policy.zombie.close_after_days


@register
class ZombieClose(_Zombie):
    code = "zombie_close"
    title = _("僵尸号")
    explanation = _(
        "账号长期没有发布内容，已是“僵尸号”。请恢复运营，或按程序注销、整合该账号（注销后保留记录）。"
    )
    severity = Severity.WARNING

    def bounds(self, policy):
        return policy.zombie.close_after_days, None


@register
class ActivityUnknown(Rule):
    """An account in operation with no last post date from any source: "unknown". A feed
    that fails or is blocked leaves it unknown, and the message says why."""

    code = "activity_unknown"
    title = _("缺少发布记录")
    explanation = _(
        "没有任何来源（运营者填报、年检、订阅源、表格导入）提供该账号的最近发布日期，"
        "无法判断是否长期未更新。请运营者填报最近发布日期，或为账号填写可抓取的订阅源地址。"
    )
    severity = Severity.INFO
    target = TargetKind.ACCOUNT
    source = "docs/compliance.md#activity（无发布记录为“未知”，不是僵尸号）"

    def evaluate(self, ctx, chunk):
        rows = list(
            active_accounts()
            .filter(chunk.q(), last_post_date__isnull=True)
            .values_list("pk", "owner_unit_id", "feed_url")
        )
        with_feed = [pk for pk, _unit, url in rows if url]
        # The feeds' polling state (compliance's FeedState), read through the account so that
        # the rules do not import the compliance models (which look the rules up).
        feeds = MediaAccount.objects.filter(pk__in=with_feed, feed_state__isnull=False)
        states = {
            account_id: (failures, error, checked)
            for account_id, failures, error, checked in feeds.values_list(
                "pk", "feed_state__failures", "feed_state__last_error", "feed_state__last_checked"
            )
        }
        none = gettext("尚无任何来源的最近发布日期")
        no_feed = gettext("%(none)s；未配置订阅源") % {"none": none}
        waiting = gettext("%(none)s；订阅源尚未抓取") % {"none": none}
        failing = gettext("%(none)s；订阅源抓取失败（连续 %(n)s 次：%(error)s）")
        empty = gettext("%(none)s；订阅源中没有带日期的条目") % {"none": none}
        found = {}
        for pk, unit_id, url in rows:
            if not url:
                text, proof = no_feed, "no_feed"
            elif pk not in states or states[pk][2] is None:
                text, proof = waiting, "feed"
            elif states[pk][0]:
                text = failing % {"none": none, "n": states[pk][0], "error": states[pk][1]}
                proof = "feed"  # the count and the error drift without meaning
            else:
                text, proof = empty, "feed"
            found[pk] = Breach(unit_id, text, evidence(proof))
        return found
