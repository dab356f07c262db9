import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_account_page_offers_late_filing_to_its_unit_admin_only(client, cast):
    url = reverse("registry:account_detail", args=[cast.cs_account.pk])
    late = reverse("filings:create_late", args=[cast.cs_account.pk])

    client.force_login(cast.cs_unit_admin)
    page = client.get(url).content.decode()
    assert "备案与变更" in page
    assert late in page
    assert reverse("filings:change_create", args=[cast.cs_account.pk]) in page

    client.force_login(cast.leader)
    page = client.get(url).content.decode()
    assert "备案与变更" in page
    assert late not in page


@pytest.mark.django_db
def test_group_page_offers_registration_of_an_unregistered_group(client, cast):
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("registry:group_detail", args=[cast.cs_group.pk])).content.decode()
    assert reverse("filings:create_group", args=[cast.cs_group.pk]) in page


@pytest.mark.django_db
def test_home_shows_waiting_approvals(client, cast):
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("home")).content.decode()
    assert "等待我审批" in page
    assert reverse("filings:waiting") in page
