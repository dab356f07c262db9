import pytest
from django.test import RequestFactory

from beian.orgs.filters import PersonFilterSet, UnitFilterSet, search_people, search_units
from beian.orgs.models import Person, Unit
from beian.testing import make_person


def _names(qs):
    return sorted(o.name for o in qs)


@pytest.mark.django_db
class TestSearch:
    def test_units_by_chinese_substring_short_name_and_code(self, cast):
        cast.lit.code = "0301"
        cast.lit.save()
        assert _names(search_units(Unit.objects.all(), "计算机")) == ["计算机学院"]
        assert _names(search_units(Unit.objects.all(), "计院")) == ["计算机学院"]
        assert _names(search_units(Unit.objects.all(), "0301")) == ["文学院"]

    def test_traditional_and_full_width_input_finds_simplified_names(self, cast):
        assert _names(search_units(Unit.objects.all(), "計算機學院")) == ["计算机学院"]
        assert _names(search_units(Unit.objects.all(), "  校團委 ")) == ["校团委"]

    def test_pinyin_initials_and_prefix(self, cast):
        assert _names(search_units(Unit.objects.all(), "jsj")) == ["计算机学院"]
        assert _names(search_units(Unit.objects.all(), "JiSuan")) == ["计算机学院"]
        assert _names(search_units(Unit.objects.all(), "xtw")) == ["校团委"]

    def test_blank_search_keeps_everything(self, cast):
        assert search_units(Unit.objects.all(), "  ").count() == Unit.objects.count()

    def test_people_by_name_number_and_pinyin(self, cast):
        people = Person.objects.all()
        assert _names(search_people(people, "李老")) == ["李老师"]
        assert _names(search_people(people, cast.lit_student.number)) == ["王同学"]
        assert _names(search_people(people, "zsj")) == ["张书记"]
        assert _names(search_people(people, "wangtong")) == ["王同学"]

    def test_people_stored_in_traditional_are_found_either_way(self, cast):
        make_person("陳國華", unit=cast.lit)
        people = Person.objects.all()
        assert _names(search_people(people, "陳國")) == ["陳國華"]
        assert _names(search_people(people, "cgh")) == ["陳國華"]


@pytest.mark.django_db
class TestFilterSets:
    def _request(self, user, **params):
        request = RequestFactory().get("/", params)
        request.user = user
        return request

    def test_unit_subtree_choices_follow_the_scope(self, cast):
        fs = UnitFilterSet(
            {}, queryset=Unit.objects.all(), request=self._request(cast.cs_unit_admin)
        )
        assert _names(fs.form.fields["unit"].queryset) == ["计算机学院", "软件工程系"]

    def test_unit_filters(self, cast):
        request = self._request(cast.school_admin)
        fs = UnitFilterSet(
            {"unit": cast.cs.pk, "kind": "division"}, queryset=Unit.objects.all(), request=request
        )
        assert _names(fs.qs) == ["软件工程系"]
        fs = UnitFilterSet({"q": "jsj"}, queryset=Unit.objects.all(), request=request)
        assert _names(fs.qs) == ["计算机学院"]

    def test_person_filters(self, cast):
        request = self._request(cast.school_admin)
        qs = Person.objects.all()
        assert _names(PersonFilterSet({"kind": "student"}, queryset=qs, request=request).qs) == [
            "王同学"
        ]
        cast.lit_teacher.status = "left"
        cast.lit_teacher.save()
        assert _names(PersonFilterSet({"status": "left"}, queryset=qs, request=request).qs) == [
            "李老师"
        ]
        assert _names(
            PersonFilterSet({"unit": cast.school.pk}, queryset=qs, request=request).qs
        ) == ["张书记", "李老师", "王同学"]
        assert _names(PersonFilterSet({"unit": cast.cs.pk}, queryset=qs, request=request).qs) == [
            "张书记"
        ]
