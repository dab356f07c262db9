"""Registration numbers (备案编号) of approved filings: the policy's format
(`institution.number_format`, docs/policy.md), the institution's prefix and a counter per
year."""

from __future__ import annotations

from datetime import date

from beian.core.policy import get_policy
from beian.orgs.models import Institution
from beian.registry.models import MediaAccount

from ..models import Filing, RegistrationCounter


def next_registration_number(*, tier: int, on: date) -> str:
    """The next number of the year, from the policy's format and the institution's
    prefix. The year's counter row is locked until the approval commits, so two
    approvals never take the same number and a rolled-back approval leaves no gap.
    A number already used in the registry (e.g. imported) is passed over."""
    policy = get_policy()
    institution = Institution.objects.order_by("pk").first()
    prefix = (institution.registration_prefix if institution else "") or "BA"
    RegistrationCounter.objects.get_or_create(year=on.year)
    counter = RegistrationCounter.objects.select_for_update().get(year=on.year)
    while True:
        counter.last += 1
        number = policy.institution.format_number(
            prefix=prefix, year=on.year, seq=counter.last, tier=tier
        )
        taken = (
            MediaAccount.objects.filter(registration_number=number).exists()
            or Filing.objects.filter(registration_number=number).exists()
        )
        if not taken:
            break
    counter.save(update_fields=["last"])
    return number
