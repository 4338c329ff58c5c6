"""The working-day calendar against real UK bank-holiday dates (checked against gov.uk)."""

from __future__ import annotations

from datetime import date

import pytest

from visitplanner.core.workdays import NO_BANK_HOLIDAYS, REGIONS, WorkingCalendar

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar(region="SCT")
CHRISTMAS_CLOSURES_2026 = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
ENGLAND_CLOSED_AT_CHRISTMAS = WorkingCalendar(closures=CHRISTMAS_CLOSURES_2026)

ENGLAND_BANK_HOLIDAYS = [
    (date(2026, 4, 3), "Good Friday"),
    (date(2026, 4, 6), "Easter Monday"),
    (date(2027, 3, 26), "Good Friday"),
    (date(2027, 3, 29), "Easter Monday"),
    (date(2026, 5, 4), "May Day"),
    (date(2026, 5, 25), "Spring Bank Holiday"),
    (date(2026, 8, 31), "Late Summer Bank Holiday"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2026, 12, 28), "Boxing Day (observed)"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 12, 27), "Christmas Day (observed)"),
    (date(2027, 12, 28), "Boxing Day (observed)"),
    (date(2028, 1, 3), "New Year's Day (observed)"),
]


@pytest.mark.parametrize(("day", "name"), ENGLAND_BANK_HOLIDAYS)
def test_england_bank_holidays_are_named_and_not_working_days(day: date, name: str) -> None:
    assert ENGLAND.bank_holiday_name(day) == name
    assert not ENGLAND.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 7),  # Tuesday after Easter Monday
        date(2026, 12, 24),  # Christmas Eve, a Thursday
        date(2026, 12, 29),  # no closures configured
        date(2028, 2, 29),  # leap day, a Tuesday
        date(2028, 1, 4),  # Tuesday after New Year's substitute
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert ENGLAND.is_working_day(day)
    assert ENGLAND.bank_holiday_name(day) is None


@pytest.mark.parametrize(
    "day", [date(2026, 12, 26), date(2027, 12, 25), date(2028, 1, 1), date(2026, 4, 4)]
)
def test_weekends_are_not_working_days_even_when_a_holiday_falls_on_them(day: date) -> None:
    assert day.weekday() >= 5
    assert not ENGLAND.is_working_day(day)


def test_weekend_holiday_keeps_its_name_and_its_substitute_is_the_next_free_weekday() -> None:
    assert ENGLAND.bank_holiday_name(date(2027, 12, 25)) == "Christmas Day"
    assert ENGLAND.bank_holiday_name(date(2027, 12, 26)) == "Boxing Day"
    assert ENGLAND.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_closure_days_are_not_working_days_nor_bank_holidays() -> None:
    closed = date(2026, 12, 30)
    assert not ENGLAND_CLOSED_AT_CHRISTMAS.is_working_day(closed)
    assert ENGLAND_CLOSED_AT_CHRISTMAS.bank_holiday_name(closed) is None


def test_christmas_closure_pushes_next_working_day_into_january() -> None:
    # 25 Dec and 28 Dec are bank holidays, 29-31 Dec closures, 1 Jan 2027 a bank holiday.
    assert ENGLAND_CLOSED_AT_CHRISTMAS.add_working_days(date(2026, 12, 24), 1) == date(2027, 1, 4)
    assert ENGLAND.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_scotland_has_2_january_as_a_bank_holiday_but_england_does_not() -> None:
    second_january = date(2026, 1, 2)
    assert SCOTLAND.bank_holiday_name(second_january) == "New Year Holiday"
    assert not SCOTLAND.is_working_day(second_january)
    assert ENGLAND.is_working_day(second_january)


def test_scotland_does_not_have_easter_monday() -> None:
    assert SCOTLAND.is_working_day(date(2026, 4, 6))
    assert SCOTLAND.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 6)
    assert ENGLAND.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_wales_shares_england_bank_holidays() -> None:
    wales = WorkingCalendar(region="WLS")
    for day, name in ENGLAND_BANK_HOLIDAYS:
        assert wales.bank_holiday_name(day) == name


def test_unknown_region_is_rejected_naming_the_allowed_codes() -> None:
    with pytest.raises(ValueError, match="ENG, WLS, SCT, NIR, none"):
        WorkingCalendar(region="GB")
    assert REGIONS == ("ENG", "WLS", "SCT", "NIR", "none")


def test_closures_given_as_a_set_are_frozen_so_the_calendar_stays_hashable() -> None:
    calendar = WorkingCalendar(closures={date(2026, 12, 29)})  # type: ignore[arg-type]
    assert calendar.closures == frozenset({date(2026, 12, 29)})
    assert hash(calendar) == hash(WorkingCalendar(closures=frozenset({date(2026, 12, 29)})))


# (start, n, expected) for England without closures.
ADD_WORKING_DAYS = [
    (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Good Friday, weekend, Easter Monday
    (date(2026, 4, 2), 2, date(2026, 4, 8)),
    (date(2026, 4, 7), -1, date(2026, 4, 2)),
    (date(2026, 4, 4), 1, date(2026, 4, 7)),  # from a Saturday
    (date(2026, 4, 4), -1, date(2026, 4, 2)),  # back from a Saturday
    (date(2026, 4, 3), 1, date(2026, 4, 7)),  # from Good Friday
    (date(2026, 4, 6), -1, date(2026, 4, 2)),  # back from Easter Monday
    (date(2027, 3, 25), 1, date(2027, 3, 30)),  # Easter 2027
    (date(2026, 5, 1), 1, date(2026, 5, 5)),  # Early May bank holiday
    (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Spring bank holiday
    (date(2026, 8, 28), 1, date(2026, 9, 1)),  # Summer bank holiday
    (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year 2027 (Friday)
    (date(2027, 12, 31), 1, date(2028, 1, 4)),  # over New Year 2028 substitute
    (date(2028, 2, 28), 1, date(2028, 2, 29)),  # leap day is a working day
    (date(2028, 3, 1), -1, date(2028, 2, 29)),
    (date(2026, 6, 1), 5, date(2026, 6, 8)),  # a plain week: Monday + 5 = next Monday
    (date(2026, 6, 8), -5, date(2026, 6, 1)),
    (date(2026, 6, 1), 0, date(2026, 6, 1)),
    (date(2026, 4, 3), 0, date(2026, 4, 3)),  # n == 0 keeps a non-working day unchanged
    (date(2026, 6, 6), 0, date(2026, 6, 6)),  # ... and a Saturday
]


@pytest.mark.parametrize(("start", "n", "expected"), ADD_WORKING_DAYS)
def test_add_working_days_excludes_the_start_day(start: date, n: int, expected: date) -> None:
    assert ENGLAND.add_working_days(start, n) == expected


def test_add_working_days_backwards_skips_closures_and_bank_holidays() -> None:
    assert ENGLAND_CLOSED_AT_CHRISTMAS.add_working_days(date(2027, 1, 4), -1) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 30), date(2026, 4, 10), 8),  # ten weekdays less Good Friday, Easter Monday
        (date(2026, 6, 1), date(2026, 6, 1), 1),  # same working day counts once
        (date(2026, 6, 6), date(2026, 6, 6), 0),  # same day, a Saturday
        (date(2026, 4, 3), date(2026, 4, 6), 0),  # Good Friday to Easter Monday
        (date(2026, 6, 2), date(2026, 6, 1), 0),  # end before start
        (date(2026, 6, 1), date(2026, 6, 7), 5),  # Monday to Sunday
        (date(2026, 1, 1), date(2026, 12, 31), 253),  # 261 weekdays less 8 bank holidays
        (date(2028, 2, 28), date(2028, 3, 1), 3),  # across the leap day
    ],
)
def test_count_working_days_includes_both_bounds(start: date, end: date, expected: int) -> None:
    assert ENGLAND.count_working_days(start, end) == expected


def test_count_working_days_excludes_closures_on_weekdays_only() -> None:
    # 24 Dec and 4 Jan only: 25, 28 Dec and 1 Jan are bank holidays, 29-31 Dec closed.
    calendar = ENGLAND_CLOSED_AT_CHRISTMAS
    assert calendar.count_working_days(date(2026, 12, 24), date(2027, 1, 4)) == 2
    weekend_closure = WorkingCalendar(closures=frozenset({date(2026, 6, 6)}))
    assert weekend_closure.count_working_days(date(2026, 6, 1), date(2026, 6, 7)) == 5


def test_working_days_lists_each_working_day_inclusive_and_ascending() -> None:
    assert list(ENGLAND.working_days(date(2026, 4, 2), date(2026, 4, 7))) == [
        date(2026, 4, 2),
        date(2026, 4, 7),
    ]
    assert list(ENGLAND.working_days(date(2026, 4, 7), date(2026, 4, 2))) == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 6), date(2026, 4, 2)),  # Easter Monday -> Maundy Thursday
        (date(2026, 4, 2), date(2026, 4, 2)),  # a working day is its own answer
        (date(2026, 6, 7), date(2026, 6, 5)),  # Sunday -> Friday
        (date(2028, 1, 3), date(2027, 12, 31)),  # New Year substitute -> previous Friday
    ],
)
def test_latest_working_day_on_or_before(day: date, expected: date) -> None:
    assert ENGLAND.latest_working_day_on_or_before(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday -> Tuesday after Easter
        (date(2026, 4, 7), date(2026, 4, 7)),
        (date(2027, 12, 25), date(2027, 12, 29)),  # Christmas on a Saturday, two substitutes
        (date(2026, 12, 25), date(2026, 12, 29)),
    ],
)
def test_earliest_working_day_on_or_after(day: date, expected: date) -> None:
    assert ENGLAND.earliest_working_day_on_or_after(day) == expected


def test_earliest_working_day_after_christmas_skips_closures() -> None:
    assert ENGLAND_CLOSED_AT_CHRISTMAS.earliest_working_day_on_or_after(date(2026, 12, 25)) == date(
        2027, 1, 4
    )


def test_holiday_names_do_not_depend_on_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    from visitplanner.core import workdays

    workdays._bank_holidays.cache_clear()
    monkeypatch.setenv("LANGUAGE", "th")
    assert WorkingCalendar().bank_holiday_name(date(2029, 12, 25)) == "Christmas Day"


def test_with_no_bank_holidays_only_weekends_and_closures_are_off() -> None:
    # Some authorities' case systems count bank holidays as working days.
    calendar = WorkingCalendar(NO_BANK_HOLIDAYS, closures=frozenset({date(2026, 12, 29)}))
    assert calendar.is_working_day(date(2026, 4, 3))          # Good Friday
    assert calendar.is_working_day(date(2026, 12, 25))        # Christmas Day, a Friday
    assert not calendar.is_working_day(date(2026, 12, 26))    # a Saturday
    assert not calendar.is_working_day(date(2026, 12, 29))    # a closure
    # Thursday 2 April + 1 working day is Good Friday, not Tuesday 7 April as in England.
    assert calendar.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 3)
    assert WorkingCalendar("ENG").add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert calendar.bank_holiday_name(date(2026, 4, 3)) is None
