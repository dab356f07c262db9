"""People carry a cadre level (干部级别): set from the person form and the services, shown on
the person's page and the people list, and a change re-checks the records they are on."""

import pytest
from django.urls import reverse

from beian.core import hooks
from beian.core.models import AuditEvent
from beian.orgs.choices import CadreLevel
from beian.orgs.models import Person
from beian.orgs.services import person_create, person_update


@pytest.fixture
def announced(monkeypatch):
    """The records the orgs services announce through beian.core.hooks."""
    calls = []

    def listener(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr(hooks, "_listeners", [listener])
    return calls


@pytest.mark.django_db
def test_person_create_records_the_cadre_level(cast):
    person = person_create(
        actor=cast.school_admin,
        name="赵处长",
        unit=cast.cs,
        post="党委书记",
        cadre_level=CadreLevel.DIVISION,
    )
    assert person.cadre_level == CadreLevel.DIVISION
    assert person.is_cadre_of(CadreLevel.DIVISION)
    assert person.is_cadre_of(CadreLevel.SECTION)


@pytest.mark.django_db
def test_levels_rank_and_an_unrecorded_level_is_no_cadre(cast):
    person = Person(name="钱科长", unit=cast.cs, cadre_level=CadreLevel.SECTION)
    assert person.is_cadre_of(CadreLevel.SECTION)
    assert not person.is_cadre_of(CadreLevel.DIVISION)
    assert not Person(name="孙", unit=cast.cs, cadre_level="").is_cadre_of(CadreLevel.SECTION)
    assert not Person(name="李", unit=cast.cs, cadre_level="none").is_cadre_of(CadreLevel.SECTION)


@pytest.mark.django_db
def test_a_level_change_is_audited_and_announced_for_re_checking(cast, announced):
    person = person_update(
        actor=cast.school_admin,
        person=cast.cs_head,
        data={"cadre_level": CadreLevel.DIVISION},
    )
    assert person.cadre_level == CadreLevel.DIVISION
    event = AuditEvent.objects.filter(object_id=str(person.pk)).first()
    assert event.detail["changes"]["cadre_level"] == ["", "division"]
    assert announced == [{"accounts": [], "groups": [], "people": [person.pk], "units": []}]


@pytest.mark.django_db
def test_unchanged_level_announces_nothing(cast, announced):
    person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": None})
    assert announced == []


@pytest.mark.django_db
def test_person_form_sets_the_level_and_the_page_shows_it(client, cast):
    client.force_login(cast.cs_unit_admin)
    form = client.get(reverse("orgs:person_create")).context["form"]
    assert [label for _value, label in form.fields["cadre_level"].choices] == [
        "未登记",
        "处级",
        "科级",
        "无",
    ]
    response = client.post(
        reverse("orgs:person_create"),
        {
            "name": "周书记",
            "number": "T880001",
            "kind": "staff",
            "unit": cast.cs.pk,
            "post": "党委书记",
            "cadre_level": "division",
            "status": "in_post",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(number="T880001")
    assert person.cadre_level == CadreLevel.DIVISION
    page = client.get(reverse("orgs:person_detail", args=[person.pk])).content.decode()
    assert "干部级别" in page and "处级" in page
    listing = client.get(reverse("orgs:person_list"), {"cadre_level": "division"})
    assert list(listing.context["table"].data) == [person]


@pytest.mark.django_db
def test_people_without_a_recorded_level_can_be_listed(client, cast):
    client.force_login(cast.school_admin)
    person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "none"})
    listing = client.get(reverse("orgs:person_list"), {"cadre_level": "unknown"})
    people = list(listing.context["table"].data)
    assert cast.cs_head not in people
    assert people  # everyone else of the cast has no recorded level


@pytest.mark.django_db
def test_api_shows_the_level(client, cast):
    person_update(actor=cast.school_admin, person=cast.cs_head, data={"cadre_level": "section"})
    client.force_login(cast.school_admin)
    data = client.get(f"/api/people/{cast.cs_head.pk}/").json()
    assert (data["cadre_level"], data["cadre_level_display"]) == ("section", "科级")
