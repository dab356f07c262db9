"""The working-day calendar that change-report deadlines are counted on: weekends are rest
days, public holidays (法定节假日) are rest days, and the weekend days the State Council moves
to work (调休上班日) are working days.

The dates come from the maintained `holidays` library (its China calendar carries the State
Council's yearly arrangement, substitute workdays included, and is updated when each year's
notice comes out in November or December), so nobody types holidays by hand. A deployment
extends or corrects it in the `[calendar]` section of its policy file: extra days off, extra
weekend working days, or the library switched off altogether. The system check `beian.W001`
warns only when neither the library nor the policy knows the year that is starting.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_lib


def date_span(first: date, last: date) -> tuple[date, ...]:
    """Every date from `first` to `last`, both included."""
    if last < first:
        raise ValueError(f"{last.isoformat()} 早于 {first.isoformat()}")
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


@dataclass(frozen=True)
class LibraryYear:
    """One year of the library's China calendar: days off, weekend working days, and whether
    the State Council's arrangement for that year is known (otherwise only the statutory
    holidays computed from the lunar calendar are, with no 调休)."""

    days_off: frozenset[date]
    workdays: frozenset[date]
    arranged: bool


@lru_cache(maxsize=256)
def library_year(year: int) -> LibraryYear:
    """The `holidays` library's China calendar for `year` (cached per process)."""
    china = holidays_lib.country_holidays("CN", years=year)
    days_off = frozenset(day for day in china if day.year == year)
    workdays = frozenset(day for day in getattr(china, "weekend_workdays", ()) if day.year == year)
    return LibraryYear(days_off, workdays, _arranged(year, workdays))


def _arranged(year: int, workdays: frozenset[date]) -> bool:
    """Whether the library holds the State Council's arrangement for `year`: its static
    per-year table lists the year (or, failing that attribute, the year has 调休 days)."""
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # pragma: no cover - library layout changed
        return bool(workdays)
    static = getattr(ChinaStaticHolidays, "special_public_holidays", None)
    if static is None:  # pragma: no cover - library layout changed
        return bool(workdays)
    return year in static


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. The policy's own lists win over the library: a listed
    makeup workday works, a listed holiday rests; then the library's 调休 workdays and days
    off; otherwise Monday–Friday work and Saturday–Sunday rest."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    use_library: bool = True

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        if self.use_library:
            known = library_year(day.year)
            if day in known.workdays:
                return True
            if day in known.days_off:
                return False
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (`start` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def policy_years(self) -> frozenset[int]:
        """The years for which the policy itself lists holidays."""
        return frozenset(day.year for day in self.holidays)

    def covers(self, year: int) -> bool:
        """Whether the year's arrangement is known: listed in the policy, or held by the
        library (State Council notice included)."""
        if year in self.policy_years():
            return True
        return self.use_library and library_year(year).arranged


DEFAULT_CALENDAR = WorkCalendar()
