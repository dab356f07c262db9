"""Our own error pages: Chinese, in the site layout, saying what went wrong and where to go.
The test settings run with DEBUG = False, as production does."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse

from beian.core import errors


def test_handlers_are_wired():
    from config import urls

    assert urls.handler403 == "beian.core.errors.permission_denied"
    assert urls.handler404 == "beian.core.errors.page_not_found"
    assert urls.handler500 == "beian.core.errors.server_error"
    assert settings.CSRF_FAILURE_VIEW == "beian.core.errors.csrf_failure"
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_404_in_the_layout_for_a_signed_in_user(client, cast):
    client.force_login(cast.cs_unit_admin)
    response = client.get("/registry/accounts/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page
    assert "不在您的管理范围内" in page
    assert "/registry/accounts/999999/" in page
    assert reverse("home") in page and "回到工作台" in page
    assert "新媒体账号" in page  # the navigation of the site layout
    assert "Not Found" not in page


@pytest.mark.django_db
def test_404_of_an_unknown_address_for_an_anonymous_visitor(client, cast):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "登录" in page


@pytest.mark.django_db
def test_403_says_what_was_refused_and_where_to_go(client, cast):
    """A unit admin opening the school admin's tier override: refused, in Chinese."""
    client.force_login(cast.cs_unit_admin)
    url = reverse("registry:account_tier", args=[cast.cs_account.pk])
    detail = reverse("registry:account_detail", args=[cast.cs_account.pk])
    response = client.get(url, HTTP_REFERER=f"http://testserver{detail}")
    assert response.status_code == 403
    page = response.content.decode()
    assert "没有权限" in page
    assert "您没有权限查看此页面" in page
    assert "请联系本单位管理员或党委宣传部" in page
    assert f'href="{detail}"' in page and "返回上一页" in page
    assert "回到工作台" in page
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_403_shows_the_services_own_reason(client, cast):
    """A refused POST says the submission was not saved, and why when the service says it."""
    client.force_login(cast.lit_unit_admin)
    response = client.post(reverse("users:user_create"), {"username": "x"})
    assert response.status_code == 403
    assert "本次提交未被保存" in response.content.decode()

    request = RequestFactory().post("/filings/new/")
    request.user = cast.cs_unit_admin
    refused = errors.permission_denied(request, PermissionDenied("您不能为该单位申请备案"))
    page = refused.content.decode()
    assert refused.status_code == 403
    assert "您不能为该单位申请备案" in page and "本次提交未被保存" in page


def test_403_reason_is_shown_only_when_it_is_chinese():
    assert errors._message(PermissionDenied("您不能把账号转到该单位")) == "您不能把账号转到该单位"
    assert errors._message(PermissionDenied()) == ""
    assert errors._message(PermissionDenied("CSRF token missing")) == ""


def test_back_link_never_leads_to_another_site():
    request = RequestFactory().get("/x/", HTTP_REFERER="https://evil.example/phish")
    assert errors._back_url(request) == ""
    request = RequestFactory().get("/x/", HTTP_REFERER="http://testserver/registry/?q=1")
    assert errors._back_url(request) == "/registry/?q=1"


@pytest.mark.django_db
def test_csrf_failure_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.cs_unit_admin)
    response = client.post(reverse("registry:account_create"), {"name": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page
    assert "刷新后重新填写并提交" in page
    assert "CSRF" not in page


def test_500_page_needs_no_database_nor_context_processors():
    """No django_db mark: any query here would raise. The page still renders."""
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错了" in page
    assert "tabler.min.css" in page
    assert "Server Error" not in page


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]  # this module serves as the URLconf of the test below
handler500 = "beian.core.errors.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_500_of_a_failing_view():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()
