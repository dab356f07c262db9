"""补办 in one batch: the accounts of a unit's task that run without a filing, and one
button that opens a late filing for each (`late_filings.task_late_filings_open`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from beian.core.permissions import get_visible_or_404
from beian.core.views import require
from beian.filings.pledge import PLEDGE_TEXT, PLEDGE_TITLE
from beian.filings.selectors import late_filing_url

from .late_filings import task_late_filings_open, unfiled_accounts
from .models import CampaignTask


@login_required
def task_late_filings(request, pk: int):
    task = get_visible_or_404(
        CampaignTask.objects.select_related("campaign", "unit"), request.user, pk=pk
    )
    require(CampaignTask.objects.answerable_by(request.user).filter(pk=task.pk).exists())
    if request.method == "POST":
        if not request.POST.get("pledge"):
            messages.error(request, _("请阅读并接受《%(title)s》") % {"title": PLEDGE_TITLE})
            return redirect("campaigns:task_late_filings", task.pk)
        batch = task_late_filings_open(actor=request.user, task=task, pledge_accepted=True)
        if batch.created:
            messages.success(
                request,
                _("已为 %(n)d 个账号提交补办备案，等待审批") % {"n": len(batch.created)},
            )
        for account, reasons in batch.refused:
            messages.warning(
                request,
                _("“%(name)s”未能自动补办：%(reason)s；请在账号页逐项补办")
                % {"name": account.name, "reason": "；".join(reasons)},
            )
        if not batch.created and not batch.refused:
            messages.info(request, _("没有需要补办备案的账号"))
        return redirect("campaigns:task_late_filings", task.pk)
    accounts = list(unfiled_accounts(task, user=request.user)[:500])
    rows = [(a, late_filing_url(request.user, a)) for a in accounts]
    return render(
        request,
        "campaigns/board/late_filings.html",
        {
            "task": task,
            "rows": rows,
            "pledge_title": PLEDGE_TITLE,
            "pledge_text": PLEDGE_TEXT,
            "nav": "campaigns",
        },
    )
