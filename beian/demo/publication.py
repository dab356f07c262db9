"""Demo step: the demo school publishes its directory (tiers 1–2), the registered accounts
list and the 通报 of last year's finished round; the validity endpoint is public, so the
directory, the check and /api/v1/validity/ answer on first run (docs/publication.md)."""

from __future__ import annotations

from beian.campaigns.models import Campaign
from beian.orgs.models import Unit
from beian.publication import services

from .context import DemoContext


def write_publication(ctx: DemoContext) -> None:
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    finished = Campaign.objects.filter(deadline__lt=ctx.today).exclude(status="draft")
    services.publication_settings_update(
        root=root,
        actor=ctx.school_admin,
        campaigns=list(finished),
        directory=True,
        tiers=[1, 2],
        accounts_list=True,
        validity="public",
        report_hint="发现仿冒学校名义的账号，请致电党委宣传部 0731-88888888（演示号码）或通过平台举报。",
    )
