"""The compliance rules. Each rule is a small class registered with `@register`: a code, a
Chinese title and explanation, a severity, the kind of record it looks at, and
`evaluate(ctx, chunk)`, which answers the current breaches among the records of one chunk
as {record id: Breach} with a fixed number of queries (annotations, Exists, aggregates,
values_list) whatever the number of records. The numbers come from the policy in force
(`ctx.policy`, `beian.core.policy.get_policy()`); a rule whose policy switch is off is not
run and its findings resolve.

A Breach carries the owner unit (for scoping), the message people read (specific:
dates, names, numbers, thresholds), and the *evidence*: the data the breach rests on,
whose hash is the finding's fingerprint. A waiver holds while the evidence is unchanged,
so the evidence leaves out what drifts without meaning (today's date, audience counts).

One module per theme, each importing only `base` and `common` (never this package), so
that nothing here imports in a circle:

- `base`: the `Rule` contract, the registry `RULES` / `@register`, `Chunk`, `ScanContext`,
  `Breach`;
- `common`: the querysets, team reads and labels several themes share;
- `activity`: 长期未更新, 僵尸号, 缺少发布记录;
- `team`: the 管理队伍 rules;
- `records`: an account's own record and its name;
- `groups`: work chat groups;
- `changes`: changes of registered accounts and their reports (变更);
- `inspection`: the annual inspection (年检) and the graduation hand-over (毕业交接).

The rules read the registry, never the findings (`beian.compliance.models` looks rules up,
so the rules do not import it); the change rules import the filings app's models inside
their functions only, so that importing `beian.compliance` does not import `beian.filings`.

Every rule is described in docs/compliance.md; the rules page (/compliance/rules/) shows
the same attributes with the parameters in force, in the order the themes are imported
below.
"""

# The themes register their rules on import, in this order: the order of the rules page and
# of the rule filter (kept by hand, hence no sorting here).
# isort: off
from . import activity, team, records, groups, changes, inspection  # noqa: F401

# isort: on
from .base import RULES, Breach, Chunk, Rule, ScanContext, UnitTree, register
from .common import last_month_ended_by

__all__ = [
    "RULES",
    "Breach",
    "Chunk",
    "Rule",
    "ScanContext",
    "UnitTree",
    "last_month_ended_by",
    "register",
]
