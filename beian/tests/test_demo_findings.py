"""`make run` loads the demo school and scans it: the first screen already shows findings of
every severity, from the deliberately broken records (docs/demo.md)."""

import pytest
from django.core.management import call_command

from beian.compliance.choices import Severity
from beian.compliance.models import Finding


@pytest.mark.django_db
def test_demo_scan_finds_every_severity():
    call_command("load_demo", verbosity=0)
    call_command("scan", verbosity=0)
    found = set(Finding.objects.filter(state="open").values_list("severity", flat=True))
    assert found == set(Severity.values)
    planted = {
        "name_imitates_school",
        "personal_uses_school_name",
        "duplicate_official",
        "zombie_close",
        "activity_unknown",
        "group_unregistered",
        "temporary_group_expired",
        "responsible_not_in_post",
        "student_account_without_advisor",
        "tier3_above_threshold_not_filed",
    }
    rules = set(Finding.objects.values_list("rule", flat=True))
    assert planted <= rules, planted - rules
