"""The dashboard in Chromium at 1400 and 390 px: the school admin opens it, the charts are
drawn, a bar is clicked (through the chart's own click handler) and the filtered account
list shows only that platform's accounts; the table's link goes to the same list."""

from __future__ import annotations

import pytest

from beian.testing import browser_login, make_account


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.django_db(transaction=True)
def test_a_school_admin_clicks_a_bar_and_lands_on_the_filtered_list(cast, page, screenshot, width):
    for i in range(3):
        make_account(f"计院抖音{i}", unit=cast.cs, platform_code="douyin")
    make_account("学校微博", unit=cast.school, platform_code="weibo")
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, "school_admin")
    page.goto(f"{page.base_url}/dashboard/")
    page.wait_for_function(
        "window.beianDashboard && window.beianDashboard.charts['accounts-platform']"
    )
    assert page.locator("h2.page-title").inner_text() == "全校"
    # every chart with data is drawn on a canvas, its table below it
    drawn = page.evaluate("window.beianDashboard.specs.length")
    assert drawn >= 6
    assert page.locator("[data-chart] canvas").count() == drawn
    assert page.locator("#chart-accounts-platform table").inner_text().count("抖音") == 1
    page.wait_for_selector('[data-chart="accounts-platform"][data-drawn]')
    page.wait_for_timeout(400)
    screenshot(page, f"dashboard-school-{width}")
    if width == 390:  # charts stack, the page does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # a real click on the 抖音 bar of 运营中 (series 0), found through ECharts' own
    # coordinate conversion (categories are sorted by count)
    spec = page.evaluate("window.beianDashboard.specs.find(s => s.slug === 'accounts-platform')")
    index = spec["categories"].index("抖音")
    value = spec["series"][0]["values"][index]
    x, y = page.evaluate(
        "([i, v]) => window.beianDashboard.charts['accounts-platform']"
        ".convertToPixel({seriesIndex: 0}, [v / 2, i])",
        [index, value],
    )
    box = page.locator('[data-chart="accounts-platform"]')
    box.scroll_into_view_if_needed()
    origin = box.bounding_box()
    with page.expect_navigation():
        page.mouse.click(origin["x"] + x, origin["y"] + y)
    page.wait_for_load_state("networkidle")
    assert "/registry/accounts/" in page.url and "platform=" in page.url
    rows = page.locator("table tbody tr")
    names = rows.all_inner_texts()
    assert len(names) == 4  # 软件工程系 and the three 计院抖音
    assert all("抖音" in n for n in names)
    assert not any("微博" in n or "微信" in n for n in names)
    screenshot(page, f"dashboard-drill-{width}")

    # the table beside the chart links to the same list
    page.goto(f"{page.base_url}/dashboard/")
    page.locator("#chart-accounts-platform table").get_by_role("link", name="抖音").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table tbody tr").count() == 4
