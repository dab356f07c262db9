"""On whose authority a record is written, and when closing an account needs approval.

Every registry write names its authority: a person's own decision (the forms, the 注销
button), an import batch, an approved filing, an annual inspection. The authority is kept in
the history row's change reason and in the audit row, and decides which checks apply: a
decision taken by an approval chain or by the inspection's grading is not re-checked
against the personal edit rights of whoever pressed the last button, while a direct
decision and an import are; and closing a filed account directly is refused where the
policy routes its closing through approval (`closing_chain`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from beian.core.policy import APPROVER_STEPS, get_policy

from .choices import AuthorityKind, FilingState


@dataclass(frozen=True)
class Authority:
    kind: str = AuthorityKind.DIRECT
    #: What it refers to: a filing's or inspection's id, an import's file name.
    ref: str = ""
    #: Extra facts for the audit row (e.g. the import file's SHA-256).
    facts: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def direct(cls) -> Authority:
        return cls(AuthorityKind.DIRECT)

    @classmethod
    def filing(cls, filing=None, **facts: Any) -> Authority:
        ref = str(filing.pk) if filing is not None else ""
        return cls(AuthorityKind.FILING, ref, tuple(sorted(facts.items())))

    @classmethod
    def import_batch(cls, file_name: str, **facts: Any) -> Authority:
        return cls(AuthorityKind.IMPORT, file_name[:200], tuple(sorted(facts.items())))

    @classmethod
    def inspection(cls, ref: Any) -> Authority:
        return cls(AuthorityKind.INSPECTION, str(ref))

    @classmethod
    def demo(cls) -> Authority:
        return cls(AuthorityKind.DEMO)

    @property
    def decided(self) -> bool:
        """Decided by a procedure (an approval chain, an inspection's grading, the demo
        loader) rather than by the acting person's own edit rights."""
        return self.kind in (AuthorityKind.FILING, AuthorityKind.INSPECTION, AuthorityKind.DEMO)

    @property
    def label(self) -> str:
        return str(AuthorityKind(self.kind).label)

    def reason(self, text: str = "") -> str:
        """The history row's change reason: what was done and on whose authority."""
        if self.kind == AuthorityKind.DIRECT:
            return text[:255]
        head = self.label + (f"（{self.ref}）" if self.ref else "")
        return f"{head}：{text}"[:255] if text else head[:255]

    def detail(self) -> dict[str, Any]:
        """The audit row's record of the authority."""
        found: dict[str, Any] = {"kind": str(self.kind)}
        if self.ref:
            found["ref"] = self.ref
        found.update(self.facts)
        return found


# --- closing needs approval? -------------------------------------------------------------


def closing_chain(filing_chain: tuple[str, ...]) -> tuple[str, ...]:
    """A closing passes the offices that approve the record's filing, except the school
    leader (who approves openings): closing a tier-2 account needs the unit and 宣传部."""
    chain = tuple(step for step in filing_chain if step != "leader")
    return chain or filing_chain


def account_closing_chain(account) -> tuple[str, ...]:
    """The approval steps closing this account needs (see `closing_chain_for`)."""
    return closing_chain_for(
        filing_state=account.filing_state,
        tier=account.tier,
        unit_kind=account.owner_unit.kind,
        is_personal=account.is_personal,
    )


def closing_chain_for(
    *, filing_state: str, tier: int, unit_kind: str, is_personal: bool
) -> tuple[str, ...]:
    """The approval steps closing an account needs: none for an account that was never
    filed (nobody approved it, nobody needs to approve its end); for a filed one, the
    policy's chain of its tier (or of personal / school student organisation accounts)
    without the leader — empty where the policy's chain is empty."""
    if filing_state != FilingState.FILED:
        return ()
    base = get_policy().filing.chain_for(tier=tier, owner_kind=unit_kind, personal=is_personal)
    return closing_chain(tuple(base)) if base else ()


class ClosingNeedsApproval(ValidationError):
    """Closing this account directly (button, sheet) is refused: the policy routes it
    through a closing request (注销申请)."""

    @classmethod
    def for_request(cls, account) -> ClosingNeedsApproval:
        """The refusal for `account` with its closing chain, phrased for the page that
        sends the user to the closing request form."""
        found = cls(account, account_closing_chain(account))
        steps = " → ".join(APPROVER_STEPS.get(step, step) for step in found.chain)
        found.message = _(
            "账号“%(name)s”已备案（%(tier)s），按学校规定注销须经审批（%(steps)s）："
            "请填写并提交注销申请，审批通过后自动注销"
        ) % {"name": account.name, "tier": account.get_tier_display(), "steps": steps}
        return found

    def __init__(self, account, chain: tuple[str, ...]):
        self.account = account
        self.chain = chain
        steps = " → ".join(APPROVER_STEPS.get(step, step) for step in chain)
        super().__init__(
            _(
                "账号“%(name)s”已备案（%(tier)s），按学校规定注销须经审批（%(steps)s），"
                "不能直接注销：请提交注销申请，审批通过后自动注销"
            )
            % {"name": account.name, "tier": account.get_tier_display(), "steps": steps},
            code="closing_needs_approval",
        )
