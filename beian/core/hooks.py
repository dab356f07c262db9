"""Change notifications from lower apps to higher ones. The registry and orgs services call
`records_changed(...)` inside their transaction after writing; higher apps (compliance)
register a listener in their AppConfig.ready(). The lower apps never import the higher."""

from collections.abc import Callable, Iterable

Listener = Callable[..., None]
_listeners: list[Listener] = []


def on_records_changed(listener: Listener) -> Listener:
    """Register `listener(accounts=[ids], groups=[ids], people=[ids], units=[ids])`."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def records_changed(
    *,
    accounts: Iterable[int] = (),
    groups: Iterable[int] = (),
    people: Iterable[int] = (),
    units: Iterable[int] = (),
) -> None:
    accounts, groups, people, units = list(accounts), list(groups), list(people), list(units)
    if not (accounts or groups or people or units):
        return
    for listener in _listeners:
        listener(accounts=accounts, groups=groups, people=people, units=units)
