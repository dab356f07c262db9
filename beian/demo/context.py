"""What the write steps share: the plan being written and the rows written so far, so that a
later step (the accounts, a campaign round …) finds the units, people and logins it refers
to by the plan's names and indexes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .plan import DemoPlan

#: Rows per bulk statement.
BATCH = 500
#: The change reason of every history row the demo writes.
CHANGE_REASON = "演示数据"


@dataclass
class DemoContext:
    plan: DemoPlan
    today: date
    batch: int = BATCH
    change_reason: str = CHANGE_REASON
    institution: object = None
    #: Unit rows by the plan's unit name.
    units: dict = field(default_factory=dict)
    #: Person rows in the plan's order (`PersonPlan` indexes point into it).
    people: list = field(default_factory=list)
    #: Login rows by username.
    users: dict = field(default_factory=dict)
    #: MediaAccount and ChatGroup rows in the plan's order.
    accounts: list = field(default_factory=list)
    groups: list = field(default_factory=list)

    @property
    def school_admin(self):
        """The school admin's login (`xcb_admin`): the actor of the steps that write
        through services which ask for one."""
        return self.users["xcb_admin"]
