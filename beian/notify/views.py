"""The inbox (站内通知) and the channel pages (通知渠道): thin adapters around selectors and
services, scoped by `Channel.objects.visible_to`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beian.core.permissions import get_visible_or_404
from beian.core.views import require

from . import selectors, services
from .forms import ChannelForm
from .models import Channel, Notification

PAGE_SIZE = 30

# --- inbox ----------------------------------------------------------------------------------


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "notifications": page.object_list,
            "unread": selectors.unread_count(request.user),
            "can_see_channels": selectors.can_see_channels(request.user),
            "nav": "inbox",
        },
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=notification, actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notify:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    services.notifications_mark_all_read(actor=request.user)
    return redirect("notify:inbox")


# --- channels ---------------------------------------------------------------------------------


@login_required
def channel_list(request):
    user = request.user
    require(selectors.can_see_channels(user))
    channels = list(selectors.channel_list(user))
    for channel in channels:
        channel.can_edit = user.can_edit_in_unit(channel.unit_id)
    return render(
        request,
        "notify/channel_list.html",
        {
            "channels": channels,
            "can_create": selectors.can_manage_channels(user),
            "inherits": selectors.inherited_channels(user),
            "nav": "inbox",
        },
    )


def _save(form, write):
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


@login_required
def channel_create(request):
    user = request.user
    require(selectors.can_manage_channels(user))
    form = ChannelForm(request.POST or None, user=user)
    if request.method == "POST":
        channel = _save(form, lambda data: services.channel_create(actor=user, **data))
        if channel is not None:
            messages.success(request, _("已新增通知渠道“%(name)s”") % {"name": channel.name})
            return redirect("notify:channel_list")
    return render(
        request,
        "notify/channel_form.html",
        {"form": form, "title": _("新增通知渠道"), "nav": "inbox"},
    )


@login_required
def channel_edit(request, pk: int):
    user = request.user
    channel = get_visible_or_404(Channel.objects.select_related("unit"), user, pk=pk)
    require(user.can_edit_in_unit(channel.unit_id))
    form = ChannelForm(request.POST or None, user=user, instance=channel)
    if request.method == "POST":
        saved = _save(
            form,
            lambda data: services.channel_update(actor=user, channel=channel, data=data),
        )
        if saved is not None:
            messages.success(request, _("已保存"))
            return redirect("notify:channel_list")
        channel.refresh_from_db()
    return render(
        request,
        "notify/channel_form.html",
        {
            "form": form,
            "channel": channel,
            "title": _("修改通知渠道：%(name)s") % {"name": channel.name},
            "nav": "inbox",
        },
    )


@login_required
@require_POST
def channel_test(request, pk: int):
    user = request.user
    channel = get_visible_or_404(Channel.objects.select_related("unit"), user, pk=pk)
    require(user.can_edit_in_unit(channel.unit_id))
    error = services.channel_test(actor=user, channel=channel)
    if error:
        messages.error(request, _("测试消息发送失败：%(error)s") % {"error": error})
    else:
        messages.success(request, _("测试消息已发送到“%(name)s”") % {"name": channel.name})
    return redirect("notify:channel_list")


@login_required
@require_POST
def channel_toggle(request, pk: int):
    user = request.user
    channel = get_visible_or_404(Channel.objects.select_related("unit"), user, pk=pk)
    require(user.can_edit_in_unit(channel.unit_id))
    channel = services.channel_set_enabled(actor=user, channel=channel, enabled=not channel.enabled)
    if channel.enabled:
        messages.success(request, _("已启用“%(name)s”") % {"name": channel.name})
    else:
        messages.success(request, _("已停用“%(name)s”") % {"name": channel.name})
    return redirect("notify:channel_list")
