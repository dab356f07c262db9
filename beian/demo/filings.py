"""Filing states (备案): almost every account is filed (已备案) with a registration number
like `HS-2023-0001`; a backlog of tier-2 and tier-3 filings is still 审批中, and a few tier-3
accounts were never filed (未备案). The planned accounts carry the state; the registry's
bulk upsert writes it with the account (`accounts.write_accounts`).

A later step that writes the filings themselves (the approval records behind 审批中 and
已备案) belongs here, as a write step listed in `loader.WRITE_STEPS` after the accounts.
"""

from __future__ import annotations

from beian.registry.choices import FilingState, Tier

from .plan import AccountPlan, Builder
from .school import INSTITUTION


def roll_filing_state(b: Builder, tier: int) -> str:
    """The filing state of a new account: one draw from the generator whatever the tier."""
    roll = b.rng.random()
    if tier == Tier.THREE and roll < 0.03:
        return FilingState.UNFILED
    if (tier == Tier.THREE and roll < 0.08) or (tier == Tier.TWO and roll < 0.02):
        return FilingState.PENDING
    return FilingState.FILED


def assign_registration_number(b: Builder, account: AccountPlan) -> None:
    """A filed account gets the next number of its creation year (2018 at the earliest,
    when the school began numbering filings)."""
    if account.filing_state != FilingState.FILED or account.registration_number:
        return
    year = max(account.created_month.year, 2018)
    b.registration_seq[year] = b.registration_seq.get(year, 0) + 1
    prefix = INSTITUTION["registration_prefix"]
    account.registration_number = f"{prefix}-{year}-{b.registration_seq[year]:04d}"
