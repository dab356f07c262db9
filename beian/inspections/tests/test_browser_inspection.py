"""The inspection in Chromium: an operator fills the 年检表 on a 390 px phone, the unit
admin submits with the unit's opinion, the school grades it 整改, the operator answers on
the phone, the school re-grades 合格. Screenshots of every page at 1400 px and 390 px go
to test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest
from django.utils import timezone

from beian.inspections import services
from beian.inspections.choices import FormState, Grade
from beian.inspections.models import HandoverCase, InspectionForm
from beian.orgs.models import Person
from beian.registry.choices import FilingState
from beian.registry.models import MediaAccount
from beian.testing import PASSWORD, browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return page


def as_user(page, username):
    page.context.clear_cookies()
    browser_login(page, username, PASSWORD)


def test_fill_submit_rectify_regrade(cast, page, browser, live_server, screenshot):
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    inspection = services.inspection_open(
        actor=cast.school_admin, owner_unit=cast.school, extra_items=["是否设有校园文化专栏"]
    )
    form = InspectionForm.objects.get(account=cast.lit_account)
    today = timezone.localdate().isoformat()
    base = live_server.url

    # the operator fills the form on a phone
    mobile = phone(browser, live_server)
    as_user(mobile, "lit_operator")
    mobile.goto(f"{base}/inspections/forms/{form.pk}/fill/")
    mobile.fill("#id_posts_this_year", "86")
    mobile.fill("#id_audience", "1.2")
    mobile.fill("#id_update_frequency", "每周 2 次")
    mobile.fill("#id_last_post_date", today)
    mobile.select_option("#id_had_violations", "no")
    mobile.select_option("#id_was_punished", "no")
    mobile.select_option("#id_had_complaints", "no")
    mobile.select_option("#id_content_review", "yes")
    mobile.fill("#id_self_assessment", "按期更新，无违规。")
    mobile.fill("#id_extra_0", "设有“文心”专栏")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form scrolls sideways on a phone ({width}px)"
    screenshot(mobile, "inspection-form-fill-390")
    mobile.click("#fill-save")
    mobile.wait_for_load_state("networkidle")
    screenshot(mobile, "inspection-part-390")
    form.refresh_from_db()
    assert form.state == FormState.FILLED and form.audience == 12000

    # the unit admin gives the opinion and submits
    as_user(page, "lit_unit_admin")
    page.goto(f"{base}/inspections/parts/{form.part_id}/")
    page.fill("#id_opinion", "本单位账号运行良好，同意报送。")
    screenshot(page, "inspection-part-1400")
    page.click("#submit-part")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.inner_text("#part-state")

    # the school grades it 整改
    as_user(page, "school_admin")
    page.goto(f"{base}/inspections/{inspection.pk}/grading/")
    screenshot(page, "inspection-grading-1400")
    page.goto(f"{base}/inspections/forms/{form.pk}/")
    page.select_option("#id_grade", "rectify")
    page.fill("#id_rectify_items", "请补充两名内容审核人")
    screenshot(page, "inspection-form-grade-1400")
    page.click("#grade-submit")
    page.wait_for_load_state("networkidle")
    form.refresh_from_db()
    assert form.state == FormState.RECTIFYING

    # the operator answers on the phone
    mobile.goto(f"{base}/inspections/forms/{form.pk}/")
    mobile.fill("#id_answer", "已增设两名内容审核人并报备")
    screenshot(mobile, "inspection-rectify-390")
    mobile.click("#rectify-form button[type=submit]")
    mobile.wait_for_load_state("networkidle")
    form.refresh_from_db()
    assert form.state == FormState.ANSWERED

    # the school re-grades 合格
    page.goto(f"{base}/inspections/forms/{form.pk}/")
    page.select_option("#id_grade", "pass")
    page.click("#grade-submit")
    page.wait_for_load_state("networkidle")
    form.refresh_from_db()
    assert (form.grade, form.was_rectified) == (Grade.PASS, True)

    # the other pages, for a person to look at, wide and narrow
    student = Person.objects.create(
        name="毕业生甲", unit=cast.lit, kind="student", status="graduated"
    )
    HandoverCase.objects.create(
        person=student, account=cast.lit_account, unit=cast.lit, roles=["operator"],
        person_status="graduated", found_on=timezone.localdate(), due_on=timezone.localdate(),
    )  # fmt: skip
    pages = {
        "list": "/inspections/",
        "detail": f"/inspections/{inspection.pk}/",
        "results": f"/inspections/{inspection.pk}/results/",
        "form": f"/inspections/forms/{form.pk}/",
        "handover": "/inspections/handover/",
        "account": f"/registry/accounts/{cast.lit_account.pk}/",
    }
    as_user(mobile, "school_admin")
    for name, path in pages.items():
        page.goto(base + path)
        screenshot(page, f"inspection-{name}-1400")
        mobile.goto(base + path)
        screenshot(mobile, f"inspection-{name}-390")
    assert "年检记录" in page.content()
    mobile.context.close()
