"""The 管理队伍 table of the filing form: rows added in the page ("添加一行") post like the
rows the page came with, and the name field searches the roster through the scoped
autocomplete, which fills identity, unit and post."""

import pytest
from django.urls import reverse

from beian.filings.forms import TeamFormSet

pytestmark = pytest.mark.django_db


def _rows(total: int, filled: dict[int, dict]) -> dict:
    data = {"team-TOTAL_FORMS": str(total), "team-INITIAL_FORMS": "0"}
    for i in range(total):  # untouched rows keep the initial role and identity
        data[f"team-{i}-role"] = "operator"
        data[f"team-{i}-identity"] = "staff"
    for i, row in filled.items():
        data.update({f"team-{i}-{key}": value for key, value in row.items()})
    return data


def test_rows_added_in_the_page_are_read():
    """3 rows came with the page, 添加一行 twice made 5: the 4th and 5th are kept."""
    data = _rows(
        5,
        {
            0: {"role": "first_responsible", "name": "刘书记", "post": "党委书记"},
            3: {"role": "reviewer", "name": "陈审核", "unit_name": "文学院"},
            4: {
                "role": "operator",
                "name": "赵运营",
                "identity": "student",
                "mobile": "13900001111",
            },
        },
    )
    formset = TeamFormSet(data, prefix="team")
    assert formset.is_valid(), formset.errors
    rows = formset.rows()
    assert [row["name"] for row in rows] == ["刘书记", "陈审核", "赵运营"]
    assert rows[2]["identity"] == "student" and rows[2]["mobile"] == "13900001111"


def test_an_added_row_with_a_bad_value_says_which():
    data = _rows(4, {3: {"name": "赵运营", "mobile": "12345"}})
    formset = TeamFormSet(data, prefix="team")
    assert not formset.is_valid()
    assert formset.errors[3]["mobile"]


def test_form_page_offers_add_row_and_the_autocomplete(client, cast):
    client.force_login(cast.lit_operator)
    page = client.get(reverse("filings:create")).content.decode()
    assert "添加一行" in page and 'data-formset-add="team"' in page
    assert '<template data-formset-empty="team">' in page and "team-__prefix__-name" in page
    assert "data-fill-row" in page and reverse("orgs:person_suggest") in page
    assert "/static/js/team.js" in page and "<script>" not in page
    assert "beian-stack" in page
