"""Saving a record through the registry or orgs services re-checks it once the transaction
commits; the record's page shows its findings."""

import pytest
from django.urls import reverse

from beian.compliance.models import Finding
from beian.orgs.services import person_update
from beian.registry.services import account_update, group_update


@pytest.mark.django_db
def test_saving_a_group_rechecks_it(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group_update(actor=cast.cs_unit_admin, group=cast.cs_group, data={"member_count": 80})
    assert Finding.objects.filter(group=cast.cs_group, rule="group_unregistered").exists()

    with django_capture_on_commit_callbacks(execute=True):
        group_update(actor=cast.school_admin, group=cast.cs_group, data={"registered": True})
    finding = Finding.objects.get(group=cast.cs_group, rule="group_unregistered")
    assert finding.state == "resolved"


@pytest.mark.django_db
def test_a_person_leaving_rechecks_their_accounts(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=cast.school_admin, person=cast.cs_head, data={"status": "left"})
    assert Finding.objects.filter(account=cast.cs_account, rule="responsible_not_in_post").exists()


@pytest.mark.django_db
def test_nothing_is_rechecked_before_the_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        account_update(actor=cast.cs_unit_admin, account=cast.cs_account, data={"verified": False})
    assert Finding.objects.count() == 0  # nothing ran before the commit


@pytest.mark.django_db
def test_account_page_shows_its_findings(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=cast.school_admin, person=cast.cs_head, data={"status": "left"})
    client.force_login(cast.cs_unit_admin)
    page = client.get(reverse("registry:account_detail", args=[cast.cs_account.pk]))
    assert Finding.objects.get(account=cast.cs_account, rule="responsible_not_in_post").message in (
        page.content.decode()
    )


@pytest.mark.django_db
def test_the_writes_of_one_transaction_are_rechecked_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from beian.compliance import recheck

    scans = []
    monkeypatch.setattr(recheck, "scan_quietly", lambda **kw: scans.append(kw))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        recheck.records_changed(accounts=[3, 1], people=[7])
        recheck.records_changed(accounts=[1], groups=[5])
        with transaction.atomic():
            recheck.records_changed(groups=[6])
    assert scans == [{"accounts": [1, 3], "groups": [5, 6], "people": [7]}]

    # a transaction that rolls back re-checks nothing, and leaves nothing to the next one
    scans.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                recheck.records_changed(accounts=[9])
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            recheck.records_changed(accounts=[2])
    assert scans == [{"accounts": [2], "groups": [], "people": []}]
