"""Import messages never disclose data outside the importer's scope (issue 9, finding 8):
whose an out-of-scope key is stays unsaid, and a guessed masked mobile is never confirmed."""

import pytest

from beian.orgs.models import Person
from beian.registry.models import MediaAccount

from .conftest import ACCOUNT_HEADER, errors, preview, xlsx
from .test_import_units_people import PEOPLE_HEADER

pytestmark = pytest.mark.django_db


def _account_row(external_id: str) -> list:
    return [1, "计算机学院", "", "微信公众号", "某个号", external_id, "", "", "", "", "", "", "",
            ""]  # fmt: skip


def test_an_out_of_scope_account_id_does_not_name_its_unit(cast):
    """Finding 8: a unit admin probing account ids learns no owner: the answer for an
    account of 文学院 is word for word the one for an account of any other unit."""
    lit = MediaAccount.objects.get(pk=cast.lit_account.pk)
    answer = errors(
        preview(
            cast.cs_unit_admin, "accounts", xlsx(ACCOUNT_HEADER, [_account_row(lit.external_id)])
        )
    )
    assert answer and "文学院" not in answer[0]
    assert "该账号不在您的管理范围内" in answer[0]


def test_the_school_admin_still_sees_whose_it_is_when_it_is_visible(cast):
    """Only what the actor cannot see is withheld; the school admin may change it anyway."""
    lit = MediaAccount.objects.get(pk=cast.lit_account.pk)
    plan = preview(
        cast.school_admin, "accounts", xlsx(ACCOUNT_HEADER, [_account_row(lit.external_id)])
    )
    assert not any("不在您的管理范围内" in e for e in errors(plan))


def test_a_guessed_masked_mobile_of_an_out_of_scope_person_is_never_confirmed(cast):
    """Finding 8: the masked-mobile check ran before the scope check, so a right guess and
    a wrong guess got different answers for a 工号 of another unit; now both get the same
    answer, which names neither the unit nor the mobile."""
    Person.objects.filter(pk=cast.lit_teacher.pk).update(number="T100200")

    def answer(masked: str) -> list[str]:
        rows = [[1, "李老师", "T100200", "教职工", "计算机学院", "", "", masked, "", ""]]
        return errors(preview(cast.cs_unit_admin, "people", xlsx(PEOPLE_HEADER, rows)))

    right, wrong = answer("139****1111"), answer("138****1111")
    assert right == wrong
    assert "该人员不在您的管理范围内" in right[0]
    assert "文学院" not in right[0] and "打码" not in right[0]


def test_an_out_of_scope_staff_number_answers_without_the_unit(cast):
    Person.objects.filter(pk=cast.lit_teacher.pk).update(number="T100201")
    rows = [[1, "李老师", "T100201", "教职工", "计算机学院", "院长", "", "", "", ""]]
    answer = errors(preview(cast.cs_unit_admin, "people", xlsx(PEOPLE_HEADER, rows)))
    assert answer and "文学院" not in " ".join(answer)
