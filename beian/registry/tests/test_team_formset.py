"""The team formset of account and group pages: rows added in the page post like any other,
people are picked through the scoped autocomplete (no select of the whole roster), and the
table stacks on phones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beian.registry.forms import TeamFormSet
from beian.registry.models import MediaAccount
from beian.testing import make_person

from .test_views import account_post, group_post, team_post

pytestmark = pytest.mark.django_db


def test_rows_added_in_the_page_are_saved(client, cast):
    """The page offers 3 empty rows; 添加一行 raised TOTAL_FORMS to 6: all six are read."""
    people = [make_person(f"队员{i}", unit=cast.cs) for i in range(6)]
    roles = ["first_responsible", "supervisor", "reviewer", "reviewer", "reviewer", "operator"]
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("registry:account_create"),
        account_post(cast.cs, team=list(zip(roles, people, strict=True))),
    )
    assert response.status_code == 302, response.context and response.context["team"].errors
    account = MediaAccount.objects.get(name="计算机学院研究生会")
    saved = {(m.role, m.person.name) for m in account.members.select_related("person")}
    assert saved == {(role, p.name) for role, p in zip(roles, people, strict=True)}


def test_added_rows_on_edit_keep_the_existing_team(client, cast):
    extra = make_person("新运营者", unit=cast.cs)
    data = {
        "platform": str(cast.cs_account.platform_id),
        "name": cast.cs_account.name,
        "external_id": cast.cs_account.external_id,
        "owner_unit": str(cast.cs.pk),
        "status": cast.cs_account.status,
        "created_month": "2020-03",
        **team_post(
            [("first_responsible", cast.cs_head), ("", None), ("", None), ("operator", extra)],
            initial=1,
        ),
    }
    client.force_login(cast.cs_unit_admin)
    url = reverse("registry:account_edit", args=[cast.cs_account.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    team = {(m.role, m.person_id) for m in cast.cs_account.members.all()}
    assert team == {("first_responsible", cast.cs_head.pk), ("operator", extra.pk)}


def test_more_rows_than_allowed_are_refused_in_chinese(cast):
    rows = [("operator", make_person(unit=cast.cs)) for _ in range(51)]
    formset = TeamFormSet(team_post(rows), prefix="team", user=cast.cs_unit_admin)
    assert not formset.is_valid()
    assert "最多" in str(formset.non_form_errors()) or "不超过" in str(formset.non_form_errors())


def test_a_person_out_of_scope_cannot_be_posted(client, cast):
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("registry:account_create"),
        account_post(cast.cs, team=[("operator", cast.lit_teacher)]),
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or response.context["team"].errors
    assert not MediaAccount.objects.filter(name="计算机学院研究生会").exists()


def test_edit_page_offers_add_row_and_the_autocomplete(client, cast):
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("registry:account_edit", args=[cast.cs_account.pk])).content
    page = page.decode()
    assert "添加一行" in page and 'data-formset-add="team"' in page
    assert '<template data-formset-empty="team">' in page and "team-__prefix__-person" in page
    assert reverse("orgs:person_suggest") in page
    assert "/static/js/team.js" in page
    assert "<script>" not in page  # the CSP allows script files only
    # the current member is shown by name, number and unit in the search box
    assert f'value="{cast.cs_head.pk}"' in page
    assert f"张书记 · {cast.cs_head.number} · 计算机学院" in page
    assert 'class="table table-vcenter card-table beian-stack"' in page


def test_the_page_does_not_list_the_roster(client, cast):
    """No <option> per person: with 50,000 people the old select weighed megabytes."""
    for i in range(30):
        make_person(f"名册{i:02d}", unit=cast.cs)
    client.force_login(cast.school_admin)
    page = client.get(reverse("registry:account_create")).content.decode()
    assert "名册00" not in page and "名册29" not in page


def test_labels_of_the_rows_are_read_in_one_query(cast):
    people = [make_person(unit=cast.cs) for _ in range(8)]
    user = cast.school_admin
    with CaptureQueriesContext(connection) as built:
        formset = TeamFormSet(
            team_post([("operator", p) for p in people]), prefix="team", user=user
        )
    assert formset.is_valid()
    with CaptureQueriesContext(connection) as rendered:
        page = str(formset)
    assert len(built.captured_queries) <= 2  # the user's roles, then one for all the labels
    assert not rendered.captured_queries
    assert all(p.name in page for p in people)


def test_group_creator_is_picked_the_same_way(client, cast):
    client.force_login(cast.cs_unit_admin)
    response = client.post(
        reverse("registry:group_create"), group_post(cast.cs, creator=str(cast.cs_head.pk))
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "张书记" in page
    form = client.get(reverse("registry:group_create")).content.decode()
    assert 'name="creator"' in form and "data-person-picker" in form
