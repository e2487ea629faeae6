"""Dates at the precision a source gives: a year, a year and month, or a day.

>>> d = parse_date("1993-06")
>>> d.precision, d.earliest, d.latest, d.xsd_type
('month', datetime.date(1993, 6, 1), datetime.date(1993, 6, 30), 'gYearMonth')
>>> parse_date("2021-02-30")
Traceback (most recent call last):
...
graphkit.dates.DateError: '2021-02-30' is not a calendar date (February 2021 has 28 days)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only
FUTURE_YEARS = 10  # a curated date more than this many years ahead is refused
FORMAT_HINT = "write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 1993, 1993-06 or 1993-06-01"


class DateError(ValueError):
    """A date text that is not YYYY, YYYY-MM or YYYY-MM-DD, or not on the calendar."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day; ``text`` is its ISO form."""

    text: str
    precision: str  # "year" | "month" | "day"
    earliest: dt.date
    latest: dt.date

    @property
    def xsd_type(self) -> str:
        return {"year": "gYear", "month": "gYearMonth", "day": "date"}[self.precision]

    def __str__(self) -> str:
        return self.text

    def __reduce__(self):  # loaded as the one parse_date keeps (a million dates, a few thousand
        return parse_date, (self.text,)  # distinct, at 100,000 actors)


@lru_cache(maxsize=65536)
def parse_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; DateError with the reason otherwise."""
    match = _PATTERN.match(text.strip())
    if not match:
        raise DateError(f"'{text}' is not a date")
    year, month, day = (int(g) if g else None for g in match.groups())
    if year < 1000:
        raise DateError(f"'{text}' is not a date")
    if month is None:
        return PartialDate(f"{year:04d}", "year", dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not 1 <= month <= 12:
        raise DateError(f"'{text}' is not a calendar date (there is no month {month})")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return PartialDate(f"{year:04d}-{month:02d}", "month",
                           dt.date(year, month, 1), dt.date(year, month, last))
    if not 1 <= day <= last:
        raise DateError(f"'{text}' is not a calendar date "
                        f"({calendar.month_name[month]} {year} has {last} days)")
    day_date = dt.date(year, month, day)
    return PartialDate(day_date.isoformat(), "day", day_date, day_date)


def too_far_ahead(date: PartialDate, today: dt.date | None = None) -> bool:
    """Whether a curated ``date`` lies more than :data:`FUTURE_YEARS` years after today.

    >>> too_far_ahead(parse_date("2999"), dt.date(2026, 1, 1))
    True
    """
    if today is None:
        if date.earliest.year <= _NEVER_AHEAD_UNTIL:  # most dates: no need to ask the day
            return False
        today = dt.date.today()
    return date.earliest.year > today.year + FUTURE_YEARS


#: no year up to this one is too far ahead, whenever the check runs (time only moves on): only
#: later ones are compared with the day's date (asking it took 2.5 s for 100,000 actors' dates)
_NEVER_AHEAD_UNTIL = dt.date.today().year + FUTURE_YEARS


def overlaps(start: PartialDate | None, end: PartialDate | None, on: dt.date) -> bool:
    """Whether a relation with these bounds may hold on day ``on`` (open bounds hold).

    A start of "2020" counts from 2020-01-01; an end of "2021" runs to 2021-12-31.

    >>> overlaps(parse_date("2020"), parse_date("2021"), dt.date(2021, 12, 31))
    True
    >>> overlaps(parse_date("2020"), None, dt.date(2019, 12, 31))
    False
    """
    if start is not None and start.earliest > on:
        return False
    if end is not None and end.latest < on:
        return False
    return True
