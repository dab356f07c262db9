"""The working-day calendar that change-report deadlines are counted on: weekends are rest
days, public holidays (法定节假日) are rest days, and the weekend days the State Council moves
to work (调休上班日) are working days.

The built-in calendar holds the 2026 arrangement from 《国务院办公厅关于2026年部分节假日安排
的通知》 (published 2025-11-04). Each year's notice comes out in November or December; a
deployment adds the next year's dates to `[calendar]` in its policy file, and the system
check `beian.W001` warns when the current year (or, in December, the next) is missing.
"""

from dataclasses import dataclass
from datetime import date, timedelta


def date_span(first: date, last: date) -> tuple[date, ...]:
    """Every date from `first` to `last`, both included."""
    if last < first:
        raise ValueError(f"{last.isoformat()} 早于 {first.isoformat()}")
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


# 2026, State Council notice of 2025-11-04 — check against the notice each year.
CN_2026_HOLIDAYS: tuple[date, ...] = (
    *date_span(date(2026, 1, 1), date(2026, 1, 3)),  # 元旦 New Year
    *date_span(date(2026, 2, 15), date(2026, 2, 23)),  # 春节 Spring Festival
    *date_span(date(2026, 4, 4), date(2026, 4, 6)),  # 清明节 Qingming
    *date_span(date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节 Labour Day
    *date_span(date(2026, 6, 19), date(2026, 6, 21)),  # 端午节 Dragon Boat
    *date_span(date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节 Mid-Autumn
    *date_span(date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节 National Day
)
CN_2026_MAKEUP_WORKDAYS: tuple[date, ...] = (
    date(2026, 1, 4),  # 元旦调休 (Sunday)
    date(2026, 2, 14),  # 春节调休 (Saturday)
    date(2026, 2, 28),  # 春节调休 (Saturday)
    date(2026, 5, 9),  # 劳动节调休 (Saturday)
    date(2026, 9, 20),  # 国庆节调休 (Sunday)
    date(2026, 10, 10),  # 国庆节调休 (Saturday)
)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. A makeup workday beats a weekend; a holiday beats a
    weekday; otherwise Monday–Friday work and Saturday–Sunday rest."""

    holidays: frozenset[date] = frozenset(CN_2026_HOLIDAYS)
    makeup_workdays: frozenset[date] = frozenset(CN_2026_MAKEUP_WORKDAYS)

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
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

    def years(self) -> frozenset[int]:
        """The years for which public holidays have been entered."""
        return frozenset(day.year for day in self.holidays)

    def covers(self, year: int) -> bool:
        return year in self.years()


DEFAULT_CALENDAR = WorkCalendar()
