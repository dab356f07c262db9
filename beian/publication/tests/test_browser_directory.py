"""A visitor on a 390 × 844 phone finds an account by name and by pasting its link; the
same pages at 1400 px. Screenshots under test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_a_visitor_on_a_phone_finds_an_account_by_name_and_by_link(phone, published, screenshot):
    page = phone
    page.goto(f"{page.base_url}/directory/")
    assert page.locator(".pub-card").count() == 5
    page.fill("form[role=search]:not([action]) input[name=q]", "计算机")
    page.click("form[role=search]:not([action]) button")
    page.wait_for_load_state()
    names = page.locator(".pub-name").all_inner_texts()
    assert sorted(names) == ["华水计算机学院", "计算机学院网站"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    screenshot(page, "publication-directory-390")

    page.goto(f"{page.base_url}/directory/")
    page.fill("form[action$='/check/'] input[name=q]", "https://m.weibo.cn/u/1234567890")
    page.click("form[action$='/check/'] button")
    page.wait_for_selector("#answer")
    assert page.get_attribute("#answer", "data-answer") == "official"
    assert "HS-2026-0001" in page.inner_text("body")
    assert "q=https" in page.url  # the permanent, shareable URL of this answer
    screenshot(page, "publication-check-official-390")

    page.fill("form[action$='/check/'] input[name=q]", "华水大学招生办")
    page.click("form[action$='/check/'] button")
    page.wait_for_selector("#imitation")
    screenshot(page, "publication-check-imitation-390")


def test_the_directory_at_desktop_width(page, published, screenshot):
    page.goto(f"{page.base_url}/directory/")
    screenshot(page, "publication-directory-1400")
    page.goto(f"{page.base_url}/directory/a/{published.weibo.pk}/")
    screenshot(page, "publication-card-1400")
    page.goto(f"{page.base_url}/directory/published/accounts/")
    screenshot(page, "publication-accounts-list-1400")
    page.goto(f"{page.base_url}/directory/check/?q=华水旧闻")
    assert page.get_attribute("#answer", "data-answer") == "closed"
    screenshot(page, "publication-check-closed-1400")
