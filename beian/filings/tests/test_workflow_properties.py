"""Random sequences of submit / approve / reject / return / withdraw / edit, by random
people, never reach an illegal state nor skip a step. Each example runs in a savepoint
that is rolled back, so examples do not see each other's rows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from beian.core.models import AuditEvent
from beian.filings import services
from beian.filings.choices import FilingStatus, StepStatus
from beian.filings.models import Filing, FilingEvent
from beian.registry.choices import FilingState

from .factories import apply_new

ACTORS = ("lit_operator", "lit_unit_admin", "school_admin", "leader", "cs_unit_admin", "auditor")
#: Who holds each office of the 文学院 tier-2 chain.
HOLDER = {"unit_head": "lit_unit_admin", "school_admin": "school_admin", "leader": "leader"}
APPLICANT = "lit_operator"
S = FilingStatus


class FilingMachine(RuleBasedStateMachine):
    cast = None  # set by the test

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.filing = None
        self.expected_status = S.DRAFT
        self.expected_position = None
        self.round = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize(name=st.sampled_from(["文学院微讯", "文學院微訊"]))
    def open_draft(self, name):
        self.filing = apply_new(self.cast.lit_operator, self.cast.lit, name, submit=False)
        self.chain = ["unit_head", "school_admin", "leader"]

    # --- helpers ---------------------------------------------------------------------------

    def _user(self, name):
        return getattr(self.cast, name)

    def _attempt(self, allowed: bool, call) -> None:
        before = Filing.objects.get(pk=self.filing.pk)
        if allowed:
            call()
            return
        with pytest.raises((PermissionDenied, ValidationError)):
            call()
        after = Filing.objects.get(pk=self.filing.pk)
        assert (after.status, after.current_step, after.round) == (
            before.status,
            before.current_step,
            before.round,
        )

    def _decision_allowed(self, actor: str) -> bool:
        return (
            self.expected_status == S.PENDING
            and actor == HOLDER[self.chain[self.expected_position]]
        )

    # --- rules -----------------------------------------------------------------------------

    @rule(actor=st.sampled_from(ACTORS))
    def submit(self, actor):
        allowed = actor == APPLICANT and self.expected_status in (S.DRAFT, S.RETURNED)
        self._attempt(
            allowed,
            lambda: services.filing_submit(filing=self.filing, actor=self._user(actor)),
        )
        if allowed:
            self.expected_status, self.expected_position = S.PENDING, 0
            self.round += 1

    @rule(actor=st.sampled_from(ACTORS))
    def approve(self, actor):
        allowed = self._decision_allowed(actor)
        self._attempt(
            allowed,
            lambda: services.filing_approve(filing=self.filing, actor=self._user(actor)),
        )
        if allowed:
            if self.expected_position + 1 == len(self.chain):
                self.expected_status, self.expected_position = S.APPROVED, None
            else:
                self.expected_position += 1

    @rule(actor=st.sampled_from(ACTORS))
    def reject(self, actor):
        allowed = self._decision_allowed(actor)
        self._attempt(
            allowed,
            lambda: services.filing_reject(
                filing=self.filing, actor=self._user(actor), reason="否"
            ),
        )
        if allowed:
            self.expected_status, self.expected_position = S.REJECTED, None

    @rule(actor=st.sampled_from(ACTORS))
    def send_back(self, actor):
        allowed = self._decision_allowed(actor)
        self._attempt(
            allowed,
            lambda: services.filing_return(
                filing=self.filing, actor=self._user(actor), comment="改"
            ),
        )
        if allowed:
            self.expected_status, self.expected_position = S.RETURNED, None

    @rule(actor=st.sampled_from(ACTORS))
    def withdraw(self, actor):
        allowed = actor == APPLICANT and self.expected_status in (S.DRAFT, S.PENDING, S.RETURNED)
        self._attempt(
            allowed,
            lambda: services.filing_withdraw(filing=self.filing, actor=self._user(actor)),
        )
        if allowed:
            self.expected_status, self.expected_position = S.WITHDRAWN, None

    @rule(actor=st.sampled_from(ACTORS), columns=st.text(alphabet="新闻通知讲座", max_size=8))
    def edit(self, actor, columns):
        allowed = actor == APPLICANT and self.expected_status in (S.DRAFT, S.RETURNED)
        self._attempt(
            allowed,
            lambda: services.filing_update(
                filing=self.filing, actor=self._user(actor), fields={"columns": columns}
            ),
        )

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def state_is_legal_and_as_expected(self):
        if self.filing is None:
            return
        filing = Filing.objects.get(pk=self.filing.pk)
        assert filing.status == self.expected_status
        assert filing.round == self.round
        current = list(filing.steps.filter(status=StepStatus.CURRENT))
        if filing.status == S.PENDING:
            assert len(current) == 1
            step = current[0]
            assert step.round == filing.round
            assert step.position == filing.current_position == self.expected_position
            assert step.step == filing.current_step == self.chain[self.expected_position]
        else:
            assert current == [] and filing.current_step == ""

        # No step skipped: in every round, decided steps form a prefix of the chain, each
        # decided by the holder of its office, and nothing after a refusal was decided.
        for round_number in range(1, filing.round + 1):
            steps = list(filing.steps.filter(round=round_number).order_by("position"))
            assert [s.step for s in steps] == self.chain
            seen_open = False
            for step in steps:
                decided = step.status in (
                    StepStatus.APPROVED,
                    StepStatus.REJECTED,
                    StepStatus.RETURNED,
                )
                if decided:
                    assert not seen_open, "a later step was decided before an earlier one"
                    assert step.decided_by == self._user(HOLDER[step.step])
                    assert step.decided_by_id != filing.applicant_id
                else:
                    seen_open = True
                if step.status in (StepStatus.REJECTED, StepStatus.RETURNED):
                    seen_open = True

        if filing.status == S.APPROVED:
            assert filing.registration_number
            assert filing.account.filing_state == FilingState.FILED
            last = filing.steps.filter(round=filing.round)
            assert all(s.status == StepStatus.APPROVED for s in last)
        else:
            assert not filing.registration_number and filing.account_id is None

        events = FilingEvent.objects.filter(filing=filing).count()
        audits = AuditEvent.objects.filter(
            object_type="filings.Filing", object_id=str(filing.pk)
        ).count()
        assert events == audits


@pytest.mark.django_db
def test_random_sequences_never_reach_an_illegal_state(cast):
    FilingMachine.cast = cast
    runner = FilingMachine.TestCase
    runner.settings = settings(
        max_examples=30, stateful_step_count=14, deadline=None, derandomize=True
    )
    runner().runTest()
