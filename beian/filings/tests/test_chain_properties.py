"""Property: over any policy chain layout (which steps, in which order, which fallback
offices) and any role layout (who holds which office, the applicant among them or not,
roles revoked while the request waits), no submitted filing is left with a step that
nobody but its applicant could decide.

Either the submission is refused, and then an independent oracle agrees that some step
has no eligible approver in its own office nor in any fallback office, and the message
names that step; or the filing is submitted and can be walked to its approval, each step
decided by someone other than the applicant who finds it in 待我审批. A role revoked while
the request waits either leaves someone to decide, or is healed by the daily reroute, or
(when no office has anyone left) leaves the filing to its applicant's withdrawal."""

import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beian.core.policy import APPROVER_STEPS, reset_policy_cache
from beian.filings import selectors, services
from beian.filings.choices import FilingStatus
from beian.orgs.choices import UnitKind
from beian.testing import make_person, make_unit, make_user
from beian.users.choices import Role
from beian.users.models import RoleAssignment

from .factories import apply_new

pytestmark = pytest.mark.django_db

STEPS = tuple(APPROVER_STEPS)
#: What a user of the layout may hold: the four offices' roles, or being the unit's head.
HOLDINGS = ("school_admin", "leader", "league_approver", "unit_admin")
PEOPLE = ("applicant", "u1", "u2", "u3")

chains = st.lists(st.sampled_from(STEPS), min_size=1, max_size=4, unique=True)
fallbacks = st.lists(st.sampled_from(STEPS), max_size=3, unique=True)
layouts = st.fixed_dictionaries(
    {name: st.frozensets(st.sampled_from(HOLDINGS), max_size=3) for name in PEOPLE}
)
heads = st.sampled_from((None, *PEOPLE))
#: Before each step: nobody loses a role, or one person (by name) loses all of theirs.
revocations = st.lists(st.sampled_from((None, None, *PEOPLE[1:])), min_size=4, max_size=4)


def holders(office: str, layout, head) -> set[str]:
    """The oracle: who holds an office, read from the layout alone."""
    if office == "unit_head":
        names = {n for n, held in layout.items() if "unit_admin" in held}
        return names | ({head} if head else set())
    return {n for n, held in layout.items() if office in held}


def decidable(step: str, fallback, layout, head) -> bool:
    return any(holders(o, layout, head) - {"applicant"} for o in (step, *fallback))


class World:
    def __init__(self, layout, head):
        self.school = make_unit("华北水利水电大学", kind=UnitKind.SCHOOL)
        self.lit = make_unit("文学院", parent=self.school)
        self.league = make_unit("校团委", kind=UnitKind.SCHOOL_STUDENT_ORG, parent=self.school)
        self.users = {}
        for name in PEOPLE:
            person = make_person(f"{name}的人", unit=self.lit)
            user = make_user(f"p_{name}", person=person, name=name)
            if name == "applicant":
                RoleAssignment.objects.create(user=user, role=Role.OPERATOR)
            for held in sorted(layout[name]):
                unit = {"league_approver": self.school, "unit_admin": self.lit}.get(held)
                RoleAssignment.objects.create(user=user, role=held, unit=unit)
            self.users[name] = user
        if head:
            self.lit.head = self.users[head].person
            self.lit.save()

    def fresh(self, name):
        """The user as a new request would see them (roles are cached per object)."""
        return type(self.users[name]).objects.get(pk=self.users[name].pk)


def _policy(tmp: Path, chain, fallback) -> str:
    path = tmp / "policy.toml"
    steps = ", ".join(f'"{s}"' for s in chain)
    fall = ", ".join(f'"{s}"' for s in fallback)
    path.write_text(
        f"[filing]\nfallback = [{fall}]\n[filing.chain]\ntier2 = [{steps}]\n", encoding="utf-8"
    )
    return str(path)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chain=chains, fallback=fallbacks, layout=layouts, head=heads, revoke=revocations)
def test_no_submitted_filing_waits_on_nobody(db, chain, fallback, layout, head, revoke):
    with (
        tempfile.TemporaryDirectory() as tmp,
        time_machine.travel("2026-12-07 10:00:00+08:00", tick=False),
        override_settings(BEIAN_POLICY_FILE=_policy(Path(tmp), chain, fallback)),
        transaction.atomic(),
    ):
        reset_policy_cache()
        try:
            _check(chain, fallback, layout, head, revoke)
        finally:
            transaction.set_rollback(True)
            reset_policy_cache()


def _check(chain, fallback, layout, head, revoke):
    world = World(layout, head)
    stuck = [s for s in chain if not decidable(s, fallback, layout, head)]
    try:
        filing = apply_new(world.fresh("applicant"), world.lit, "文学院微讯")
    except ValidationError as exc:
        assert stuck, f"refused although every step has an approver: {exc.messages}"
        text = " ".join(exc.messages)
        assert all(f"“{APPROVER_STEPS[s]}”" in text for s in stuck), text
        return
    assert not stuck, f"submitted although {stuck} has nobody but the applicant"
    assert filing.chain == list(chain)

    for position in range(len(chain)):
        assert filing.status == FilingStatus.PENDING and filing.current_position == position
        victim = revoke[position]
        if victim:
            RoleAssignment.objects.filter(user=world.users[victim]).delete()
            layout = {**layout, victim: frozenset()}
            if head == victim:
                world.lit.head = None
                world.lit.save()
                head = None
            services.filing_steps_reroute_orphans()
            filing.refresh_from_db()
        deciders = [
            name
            for name in PEOPLE
            if selectors.filings_waiting_for(world.fresh(name)).filter(pk=filing.pk).exists()
        ]
        assert "applicant" not in deciders
        if not deciders:
            # only possible when no office left can take this step: the applicant can
            # still withdraw, so the request is never stuck for good
            assert not decidable(chain[position], fallback, layout, head)
            filing = services.filing_withdraw(filing=filing, actor=world.fresh("applicant"))
            assert filing.status == FilingStatus.WITHDRAWN
            return
        decider = world.fresh(deciders[0])
        assert selectors.can_decide(decider, filing)
        filing = services.filing_approve(
            filing=filing, actor=decider, round_no=filing.round, position=position
        )
    assert filing.status == FilingStatus.APPROVED and filing.registration_number
