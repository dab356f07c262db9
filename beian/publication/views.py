"""Public pages under /directory/ (no login) and the school admin's settings page.

Public pages render from `publication/public_base.html`: the site's Tabler CSS, no
script, no CSRF token, no user menu — the same bytes for every visitor, so they are cached
(`public.public_page`) and light in the WeChat in-app browser."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from beian.campaigns import bulletin as bulletins
from beian.campaigns.models import Campaign
from beian.core.sheets import write_xlsx

from . import selectors, services
from .forms import SettingsForm
from .public import over_limit, public_page, too_many
from .qr import QRError, qr_svg, read_qr


def _settings():
    return selectors.publication_settings()


def _closed(request, settings):
    return render(request, "publication/closed.html", {"settings": settings}, status=404)


# --- directory -------------------------------------------------------------------------------


@require_GET
@public_page("directory")
def directory(request):
    settings = _settings()
    if not settings.directory:
        return _closed(request, settings)
    text = request.GET.get("q", "").strip()[:100]
    platform = request.GET.get("platform", "").strip()[:40]
    try:
        unit = int(request.GET.get("unit") or 0) or None
        page = int(request.GET.get("page") or 1)
    except ValueError:
        unit, page = None, 1
    result = selectors.directory_search(
        settings, text=text, platform=platform, unit=unit, page=page
    )
    platforms, units = selectors.directory_filters(settings)
    query = {k: v for k, v in (("q", text), ("platform", platform), ("unit", unit or "")) if v}
    return render(
        request,
        "publication/directory.html",
        {
            "settings": settings,
            "result": result,
            "q": text,
            "platform": platform,
            "unit": unit,
            "platforms": platforms,
            "units": units,
            "searched": bool(query),
            "rounds": selectors.public_rounds(settings),
            "next_url": f"?{urlencode({**query, 'page': result.page + 1})}",
            "prev_url": f"?{urlencode({**query, 'page': result.page - 1})}",
        },
    )


@require_GET
@public_page("directory")
def card(request, pk: int):
    settings = _settings()
    found = selectors.published_card(settings, pk)
    if found is None:
        raise Http404
    return render(request, "publication/card.html", {"settings": settings, "card": found})


@require_GET
@public_page("directory")
def card_qr(request, pk: int):
    """The card's QR code: generated from the account's address (SVG)."""
    found = selectors.published_card(_settings(), pk)
    if found is None or not found["link"]:
        raise Http404
    return HttpResponse(qr_svg(found["link"]), content_type="image/svg+xml")


# --- badge and widget (embeddable on unit web sites) -----------------------------------------

BADGE = """<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="22" role="img" \
aria-label="{label}"><title>{label}</title><rect width="{w}" height="22" rx="4" fill="#2e7d32"/>\
<text x="{x}" y="15" fill="#fff" font-size="12" text-anchor="middle" \
font-family="PingFang SC,Microsoft YaHei,Noto Sans CJK SC,sans-serif">{label}</text></svg>"""


def _badge_label(found: dict) -> str:
    return f"本账号已在学校备案 · 编号 {found['registration_number']}"


@require_GET
@public_page("badge")
def badge(request, pk: int):
    """An SVG badge "本账号已在学校备案 · 编号 …" for a unit's web site (an <img>)."""
    found = selectors.published_card(_settings(), pk)
    if found is None:
        raise Http404
    label = _badge_label(found)
    width = 16 + sum(12 if ord(ch) > 255 else 7 for ch in label)
    response = HttpResponse(
        BADGE.format(w=width, x=width // 2, label=label), content_type="image/svg+xml"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@public_page("badge")
def widget(request, pk: int):
    """A small HTML widget for an <iframe> on a unit's site: the only page that may be
    framed by other sites (X-Frame-Options dropped, CSP frame-ancestors *)."""
    settings = _settings()
    found = selectors.published_card(settings, pk)
    if found is None:
        raise Http404
    return render(
        request,
        "publication/widget.html",
        {"card": found, "label": _badge_label(found), "settings": settings},
    )


# --- "is this official?" ---------------------------------------------------------------------


@require_GET
@public_page("check")
def check(request):
    """The answer to a name, id or link; `/directory/check/?q=…` is its permanent URL."""
    settings = _settings()
    if not settings.directory:
        return _closed(request, settings)
    answer = selectors.check_account(settings, request.GET.get("q", ""))
    share = request.build_absolute_uri(
        f"{reverse('publication:check')}?{urlencode({'q': answer.query})}"
    )
    return render(
        request,
        "publication/check.html",
        {"settings": settings, "answer": answer, "share_url": share, "error": ""},
    )


@csrf_exempt  # anonymous and read-only: the upload is read and answered, nothing is stored
@require_http_methods(["POST"])
def check_qr(request):
    """A QR screenshot: its text becomes the question, answered at the permanent URL."""
    wait = over_limit(request, "check_qr", "20/m")
    if wait:
        return too_many(request, wait)
    settings = _settings()
    if not settings.directory:
        return _closed(request, settings)
    try:
        text = read_qr(request.FILES.get("image"))
    except QRError as exc:
        answer = selectors.Answer(query="", kind=selectors.EMPTY)
        return render(
            request,
            "publication/check.html",
            {"settings": settings, "answer": answer, "error": str(exc), "share_url": ""},
            status=400,
        )
    return redirect(f"{reverse('publication:check')}?{urlencode({'q': text[:500]})}")


# --- published lists -------------------------------------------------------------------------

FORMATS = ("html", "print", "xlsx")
LIST_HEADER = ("序号", "账号名称", "平台", "账号或网址", "管理单位", "分级", "备案编号", "已认证")


def _list_rows(found):
    for number, c in enumerate(found, start=1):
        yield [
            number,
            c["name"],
            c["platform_name"],
            c["link"] or c["external_id"],
            c["unit_name"],
            c["tier_label"],
            c["registration_number"],
            "是" if c["verified"] else "否",
        ]


def _list_cards(settings):
    qs = selectors.published_accounts(settings).order_by("tier", "owner_unit__name", "name", "pk")
    return selectors.cards(qs)


@require_GET
@public_page("lists")
def accounts_list(request, fmt: str = "html"):
    """The published list of registered accounts (seed 001 定期公布): page, print, Excel."""
    settings = _settings()
    if not settings.accounts_list or fmt not in FORMATS:
        raise Http404
    found = _list_cards(settings)
    title = f"{selectors.school_title()}已备案新媒体账号名单"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, [title], LIST_HEADER, _list_rows(found), (), None,
                   sheet_name="已备案账号", submitter_line=None)  # fmt: skip
        return _download(buffer.getvalue(), "已备案新媒体账号名单.xlsx")
    return render(
        request,
        "publication/accounts_list.html",
        {"settings": settings, "cards": found, "title": title, "print": fmt == "print"},
    )


def _download(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class _PublicReader:
    """The reader of a published 通报: it sees the whole round, like the school admin, and
    is nobody (the 通报 lists units and counts, never people)."""

    is_authenticated = True
    sees_everything = True
    pk = None


@require_GET
@public_page("lists")
def campaign_bulletin(request, pk: int, fmt: str = "html"):
    """A round's 通报 (seed 004), when the school publishes it: page, print, Excel."""
    if fmt not in FORMATS:
        raise Http404
    settings = _settings()
    campaign = Campaign.objects.filter(pk=pk).exclude(status="draft").first()
    if campaign is None or not settings.bulletin_public(campaign.pk):
        raise Http404
    result = bulletins.build_bulletin(campaign, user=_PublicReader())
    if fmt == "xlsx":
        return _download(bulletins.bulletin_xlsx(result), f"{result.title}.xlsx")
    return render(
        request,
        "publication/bulletin.html",
        {
            "settings": settings,
            "bulletin": result,
            "summary_text": bulletins.summary_text(result),
            "rule_labels": bulletins._rule_labels(),
            "print": fmt == "print",
        },
    )


INSPECTION_HEADER = ("序号", "单位", "账号名称", "平台", "年检结果")
GRADE_CODES = ("pass", "rectify", "fail", "missed")


def _inspection_rows(found: dict):
    """The accounts with their grades, then (below a blank row) the counts by unit."""
    for number, row in enumerate(found["rows"], start=1):
        yield [number, row["unit"], row["account_name"], row["platform"], row["grade"]]
    yield [""] * 5
    yield ["按单位统计", "", "", "", ""]
    yield ["单位（账号数）", "合格", "整改", "不合格", "未参检"]
    for line in found["units"]:
        yield [f"{line['unit']}（{line['total']}）", *(line[g] for g in GRADE_CODES)]
    yield [f"合计（{found['total']}）", *found["counts"].values()]


def _inspection_summary(found: dict) -> str:
    counts = "，".join(f"{label} {n} 个" for label, n in found["counts"].items() if n)
    return f"参加年检账号 {found['total']} 个：{counts}。" if found["total"] else "暂无评定结果。"


@require_GET
@public_page("lists")
def inspection_results(request, pk: int, fmt: str = "html"):
    """A round's inspection results (seed 004 通报; issue 11), when the school publishes
    them: account names, platforms, units and grades with the counts by unit and grade —
    no person, no comment. Page, print and Excel; unpublished answers 404 like unknown."""
    if fmt not in FORMATS:
        raise Http404
    settings = _settings()
    found = selectors.public_round(settings, pk)
    if found is None:
        raise Http404
    school = selectors.school_title()
    title = f"{school}{found['title']}结果"
    summary = _inspection_summary(found)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, [title, summary], INSPECTION_HEADER, _inspection_rows(found), (),
                   (6, 24, 30, 12, 10), sheet_name="年检结果", submitter_line=None)  # fmt: skip
        return _download(buffer.getvalue(), f"{found['year']}年度新媒体账号年检结果.xlsx")
    return render(
        request,
        "publication/inspection_results.html",
        {
            "settings": settings,
            "found": found,
            "title": title,
            "summary": summary,
            "school": school,
            "grade_codes": GRADE_CODES,
            "print": fmt == "print",
        },
    )


@require_GET
@public_page("lists")
def published_index(request):
    """What the school publishes: the lists and 通报 that are switched on."""
    settings = _settings()
    campaigns = [
        c
        for c in Campaign.objects.exclude(status="draft").order_by("-deadline", "-pk")
        if settings.bulletin_public(c.pk)
    ]
    rounds = selectors.public_rounds(settings)
    if not (settings.directory or settings.accounts_list or campaigns or rounds):
        return _closed(request, settings)
    return render(
        request,
        "publication/published_index.html",
        {"settings": settings, "campaigns": campaigns, "rounds": rounds},
    )


# --- the school admin's settings page --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    if not request.user.is_school_admin:
        raise PermissionDenied
    root = selectors.school_root()
    if root is None:
        raise Http404
    current = selectors.publication_settings(root)
    form = SettingsForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaigns = data.pop("published_campaigns")
        services.publication_settings_update(
            root=root, actor=request.user, campaigns=campaigns, **data
        )
        messages.success(request, _("公开查询设置已保存"))
        return redirect("publication:settings")
    return render(
        request,
        "publication/settings.html",
        {"form": form, "current": current, "nav": "publication"},
        status=400 if form.errors else 200,
    )
