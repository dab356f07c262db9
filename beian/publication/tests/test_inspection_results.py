"""The public page of an inspection round's results (issue 11 Build 3, issue 12 Build 4):
shown only when the school publishes the round, with names, platforms, units, grades and
the counts by unit and grade — never a person, a mobile or the school's comments."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from beian.inspections import services as inspections
from beian.inspections.choices import Grade
from beian.inspections.models import InspectionForm
from beian.orgs.models import Person
from beian.publication import services
from beian.registry.models import AccountMember

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ANSWERS = {
    "posts_this_year": 120,
    "audience": 12000,
    "update_frequency": "每周 3 次",
    "last_post_date": dt.date(2026, 11, 28),
    "had_violations": False,
    "was_punished": False,
    "had_complaints": False,
    "content_review": True,
    "self_assessment": "运行正常",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def graded_round(published):
    """Last round of the published school, finished: 华北水利水电大学 合格, 华水计算机学院
    整改, 计算机学院网站 合格, the tier-3 account submitted but not graded, the rest 未参检;
    the teacher 李老师 (with a mobile) operates the 合格 account."""
    cast = published.cast
    admin = cast.school_admin
    AccountMember.objects.create(record=published.weibo, role="operator", person=cast.lit_teacher)
    inspection = inspections.inspection_open(actor=admin, owner_unit=cast.school)
    forms = {f.account_id: f for f in InspectionForm.objects.filter(inspection=inspection)}
    for account in (published.weibo, published.wechat, published.site, published.hidden):
        inspections.form_fill(actor=admin, form=forms[account.pk], data=ANSWERS)
    for account in (published.weibo, published.wechat):
        inspections.part_submit(actor=admin, part=forms[account.pk].part, opinion="同意")
    inspections.form_grade(
        actor=admin, form=forms[published.weibo.pk], grade=Grade.PASS, comment="李老师负责，运行好"
    )
    inspections.form_grade(
        actor=admin,
        form=forms[published.wechat.pk],
        grade=Grade.RECTIFY,
        rectify_items="请张书记落实三审",
        rectify_deadline=dt.date(2026, 12, 20),
    )
    inspections.form_grade(actor=admin, form=forms[published.site.pk], grade=Grade.PASS)
    inspections.inspection_close(actor=admin, inspection=inspection)
    return inspection


def url(inspection, fmt=None):
    if fmt:
        return reverse("publication:inspection_results_file", args=[inspection.pk, fmt])
    return reverse("publication:inspection_results", args=[inspection.pk])


def test_unpublished_results_are_404_like_an_unknown_round(client, graded_round):
    unknown = reverse("publication:inspection_results", args=[graded_round.pk + 999])
    for path in (url(graded_round), url(graded_round, "xlsx"), url(graded_round, "print"), unknown):
        response = client.get(path)
        assert response.status_code == 404, path
    assert graded_round.title not in client.get(url(graded_round)).content.decode()
    assert "年检" not in client.get(reverse("publication:published")).content.decode()


def test_published_results_show_grades_and_counts_by_unit(client, published, graded_round):
    inspections.inspection_publish(
        actor=published.cast.school_admin, inspection=graded_round, published=True
    )
    response = client.get(url(graded_round))
    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r"<tr><td>\d+</td><td class=\"pub-unit\">(.*?)</td>.*?<span class=\"badge[^\"]*\">(.*?)</span>",
                      body)  # fmt: skip
    graded = dict(rows)
    assert graded["华北水利水电大学"] == "合格"
    assert graded["华水计算机学院"] == "整改"
    assert graded["华水校团委"] == "未参检"
    assert "参加年检账号" in body and "按单位统计" in body
    counts = re.search(r"<td class=\"pub-unit\">计算机学院</td>(.*?)</tr>", body).group(1)
    # 计算机学院: 2 graded (the tier-3 account's form was not graded: not shown), 1 合格, 1 整改
    assert re.findall(r">(\d+)<", counts) == ["2", "1", "1", "0", "0"]
    assert "李老师的华水日记" not in body  # an account in a person's name is left out
    assert "打印版" in body and "下载 Excel" in body
    # linked from the directory's "学校公布" box and the published index
    for page in (reverse("publication:directory"), reverse("publication:published")):
        assert url(graded_round) in client.get(page).content.decode(), page
    assert client.get(url(graded_round, "print")).status_code == 200
    assert client.get(url(graded_round, "pdf")).status_code == 404


def test_the_settings_page_choice_publishes_finished_rounds(client, published, graded_round):
    assert client.get(url(graded_round)).status_code == 404
    services.publication_settings_update(
        root=published.cast.school, actor=published.cast.school_admin, inspection_results=True
    )
    assert client.get(url(graded_round)).status_code == 200


def test_published_results_carry_no_personal_data_and_no_comments(client, published, graded_round):
    inspections.inspection_publish(
        actor=published.cast.school_admin, inspection=graded_round, published=True
    )
    people = list(Person.objects.all())
    assert people
    for path in (url(graded_round), url(graded_round, "print"), reverse("publication:directory")):
        body = client.get(path).content.decode()
        assert not MOBILE.search(body), path
        for person in people:
            assert person.name not in body, (path, person.name)
        for secret in ("运行好", "落实三审", "同意", "运行正常"):
            assert secret not in body, (path, secret)


def test_the_excel_download_has_grades_counts_and_never_a_formula(client, published, graded_round):
    MediaAccountName = '=HYPERLINK("http://x","点我")'
    from beian.registry.models import MediaAccount

    MediaAccount.objects.filter(pk=published.douyin.pk).update(name=MediaAccountName)
    inspections.inspection_publish(
        actor=published.cast.school_admin, inspection=graded_round, published=True
    )
    response = client.get(url(graded_round, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    text = " ".join(str(v) for v in values)
    assert "华北水利水电大学" in text and "合格" in text and "未参检" in text
    assert "按单位统计" in text and "计算机学院（2）" in text
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert not cell.value.startswith("="), cell.coordinate
    assert not MOBILE.search(text) and "李老师" not in text


def test_the_settings_page_publishes_one_chosen_round(client, published, graded_round):
    from beian.publication.models import PublicationSettings

    client.force_login(published.cast.school_admin)
    settings_url = reverse("publication:settings")
    assert graded_round.title in client.get(settings_url).content.decode()
    response = client.post(
        settings_url,
        {"directory": "on", "validity": "token", "tiers": ["1", "2"],
         "published_rounds": [str(graded_round.pk)]},
    )  # fmt: skip
    assert response.status_code == 302
    row = PublicationSettings.objects.get(root=published.cast.school)
    assert row.published_rounds == [graded_round.pk] and not row.inspection_results
    client.logout()
    assert client.get(url(graded_round)).status_code == 200
