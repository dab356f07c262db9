"""Answering an inspection through the API (issue 13): read a form with its pre-filled
values, answer it, give the unit's opinion and submit — over the inspections services,
scoped like the pages, all or nothing, with Chinese messages naming the field."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from beian.api import services
from beian.core.models import AuditEvent
from beian.inspections import services as inspections
from beian.inspections.choices import FormState, PartState
from beian.inspections.models import InspectionForm, InspectionPart
from beian.registry.choices import FilingState
from beian.registry.models import MediaAccount

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(OPENED, tick=False):
        yield


@pytest.fixture
def round_(cast):
    MediaAccount.objects.update(filing_state=FilingState.FILED)
    inspection = inspections.inspection_open(
        actor=cast.school_admin, owner_unit=cast.school, extra_items=["是否设立校园文化栏目"]
    )
    cast.inspection = inspection
    cast.lit_form = InspectionForm.objects.get(inspection=inspection, account=cast.lit_account)
    cast.cs_form = InspectionForm.objects.get(inspection=inspection, account=cast.cs_account)
    cast.lit_part = InspectionPart.objects.get(inspection=inspection, unit=cast.lit)
    cast.cs_part = InspectionPart.objects.get(inspection=inspection, unit=cast.cs)
    return cast


def token_client(user) -> Client:
    _, secret = services.token_create(actor=user, name="年检脚本")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


ANSWERS = {
    "posts_this_year": 120,
    "audience": 12000,
    "update_frequency": "每周 3 次",
    "last_post_date": "2026-11-28",
    "had_violations": False,
    "was_punished": False,
    "had_complaints": False,
    "content_review": True,
    "self_assessment": "运行正常，按期更新。",
    "extra_answers": ["已设立"],
}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_operator_reads_the_prefilled_form_and_answers_it_by_token(round_):
    client = token_client(round_.lit_operator)
    url = f"/api/inspection-forms/{round_.lit_form.pk}/"
    shown = client.get(url).json()
    assert shown["account_name"] == "文学院微言" and shown["state"] == "pending"
    assert shown["can_answer"] is True
    assert shown["extra_items"] == ["是否设立校园文化栏目"] and shown["extra_answers"] == [""]
    assert shown["prefill"]["team"] == "运营者：李老师；负责学生：王同学"
    listed = client.get("/api/inspection-forms/").json()
    assert [r["id"] for r in listed["results"]] == [round_.lit_form.pk]

    answered = post(client, url + "answers/", ANSWERS)
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    assert body["state"] == "filled" and body["posts_this_year"] == 120
    assert body["extra_answers"] == ["已设立"]
    form = InspectionForm.objects.get(pk=round_.lit_form.pk)
    assert form.filled_by == round_.lit_operator and form.content_review is True
    assert AuditEvent.objects.filter(
        object_id=str(form.pk), detail__action="fill", actor=round_.lit_operator
    ).exists()
    # the registry's activity evidence is recorded like the page does
    assert MediaAccount.objects.get(pk=round_.lit_account.pk).last_post_date == dt.date(
        2026, 11, 28
    )


def test_an_out_of_scope_form_or_part_answers_404(round_):
    client = token_client(round_.cs_unit_admin)
    assert client.get(f"/api/inspection-forms/{round_.lit_form.pk}/").status_code == 404
    refused = post(client, f"/api/inspection-forms/{round_.lit_form.pk}/answers/", ANSWERS)
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    submit = post(
        client, f"/api/inspection-parts/{round_.lit_part.pk}/submit/", {"opinion": "同意"}
    )
    assert submit.status_code == 404
    assert InspectionForm.objects.get(pk=round_.lit_form.pk).state == FormState.PENDING


def test_a_wrong_or_missing_value_is_named_and_nothing_is_saved(round_):
    client = token_client(round_.lit_operator)
    url = f"/api/inspection-forms/{round_.lit_form.pk}/answers/"
    wrong = post(client, url, {**ANSWERS, "posts_this_year": "很多"})
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["posts_this_year"]
    assert "整数" in wrong.json()["posts_this_year"][0]
    future = post(client, url, {**ANSWERS, "last_post_date": "2027-01-05"})
    assert future.status_code == 400 and "last_post_date" in future.json()
    incident = post(client, url, {**ANSWERS, "had_complaints": True})
    assert incident.status_code == 400
    assert incident.json() == {"incident_details": ["有违规、处罚或投诉时请说明情况"]}
    missing = post(client, url, {k: v for k, v in ANSWERS.items() if k != "extra_answers"})
    assert missing.status_code == 400 and "extra_answers" in missing.json()
    form = InspectionForm.objects.get(pk=round_.lit_form.pk)
    assert form.state == FormState.PENDING and form.posts_this_year is None
    assert form.had_complaints is None


def test_who_may_answer_and_submit(round_):
    # the leader sees every form but cannot answer; the answer is a 403 with the reason
    leader = token_client(round_.leader)
    refused = post(leader, f"/api/inspection-forms/{round_.lit_form.pk}/answers/", ANSWERS)
    assert refused.status_code == 403 and refused.json()["detail"] == "您不能填写该账号的年检表"
    # the operator answers but does not submit the unit's part
    operator = token_client(round_.lit_operator)
    post(operator, f"/api/inspection-forms/{round_.lit_form.pk}/answers/", ANSWERS)
    part_url = f"/api/inspection-parts/{round_.lit_part.pk}/submit/"
    assert post(operator, part_url, {"opinion": "同意"}).status_code == 403


def test_the_unit_admin_answers_in_the_subtree_and_submits_all_or_nothing(round_):
    client = token_client(round_.cs_unit_admin)
    parts = client.get("/api/inspection-parts/").json()
    assert [(p["unit"]["name"], p["forms"], p["unfilled"]) for p in parts["results"]] == [
        ("计算机学院", 2, 2)
    ]
    part_url = f"/api/inspection-parts/{round_.cs_part.pk}/submit/"
    no_opinion = post(client, part_url, {"opinion": ""})
    assert no_opinion.status_code == 400 and "opinion" in no_opinion.json()
    too_early = post(client, part_url, {"opinion": "同意"})
    assert too_early.status_code == 400
    assert "软件工程系" in too_early.json()["detail"]
    forms = InspectionForm.objects.filter(part=round_.cs_part)
    for form in forms:
        answered = post(client, f"/api/inspection-forms/{form.pk}/answers/", ANSWERS)
        assert answered.status_code == 200, answered.json()
    done = post(client, part_url, {"opinion": "本单位账号运行正常，同意提交。"})
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "submitted" and done.json()["unfilled"] == 0
    assert InspectionPart.objects.get(pk=round_.cs_part.pk).state == PartState.SUBMITTED
    assert set(forms.values_list("state", flat=True)) == {FormState.SUBMITTED}
    # once submitted, a form cannot be changed any more
    again = post(client, f"/api/inspection-forms/{round_.cs_form.pk}/answers/", ANSWERS)
    assert again.status_code == 400 and "已提交" in again.json()["detail"]
    shown = client.get(f"/api/inspection-forms/{round_.cs_form.pk}/").json()
    assert shown["can_answer"] is False and shown["part_state"] == "submitted"


def test_a_form_encoded_answer_leaves_unsent_yes_no_unanswered(round_):
    client = token_client(round_.lit_operator)
    response = client.post(
        f"/api/inspection-forms/{round_.lit_form.pk}/answers/", {"posts_this_year": "3"}
    )
    assert response.status_code == 400
    assert "had_violations" in response.json()  # not silently answered 否


def test_the_rectification_is_answered_through_the_api(round_):
    operator = token_client(round_.lit_operator)
    post(operator, f"/api/inspection-forms/{round_.lit_form.pk}/answers/", ANSWERS)
    inspections.part_submit(actor=round_.lit_unit_admin, part=round_.lit_part, opinion="同意")
    form = InspectionForm.objects.get(pk=round_.lit_form.pk)
    inspections.form_grade(
        actor=round_.school_admin, form=form, grade="rectify", rectify_items="补三审记录"
    )
    url = f"/api/inspection-forms/{form.pk}/rectification/"
    assert post(operator, url, {"answer": ""}).status_code == 400
    answered = post(operator, url, {"answer": "已补齐三审三校记录"})
    assert answered.status_code == 200, answered.json()
    assert answered.json()["state"] == "answered"
