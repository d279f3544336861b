"""Working time as the sales team counts it: the first-contact deadline and how long a request has waited."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orders.working_hours import first_contact_due, humanise, waited

LONDON = ZoneInfo("Europe/London")


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)  # 23 Nov 2026 is a Monday


def test_a_request_on_friday_afternoon_is_due_on_monday_afternoon():
    assert first_contact_due(at(27, 16)) == at(30, 16)  # 1.5 h on Friday + 7 h on Monday


def test_a_request_at_night_or_at_the_weekend_starts_counting_at_nine():
    assert first_contact_due(at(28, 11)) == at(30, 17, 30)  # Saturday: the whole of Monday
    assert first_contact_due(at(24, 23)) == at(25, 17, 30)  # Tuesday night: the whole of Wednesday


def test_waiting_counts_only_working_hours():
    assert waited(at(27, 16), at(30, 10)) == timedelta(hours=2, minutes=30)
    assert waited(at(28, 10), at(29, 18)) == timedelta()  # a weekend
    assert waited(at(30, 10), at(27, 10)) == timedelta()  # backwards


def test_long_waits_count_whole_weeks():
    start = at(23, 9)
    assert waited(start, start + timedelta(weeks=104)) == timedelta(hours=8.5 * 5 * 104)


def test_clock_change_does_not_change_the_working_day():
    # Sunday 29 March 2026 the clocks go forward: Friday 17:00 to Monday 10:00 is still 1.5 working hours.
    friday = datetime(2026, 3, 27, 17, tzinfo=LONDON)
    assert waited(friday, datetime(2026, 3, 30, 10, tzinfo=LONDON)) == timedelta(hours=1, minutes=30)


def test_the_working_week_comes_from_settings(settings):
    settings.SALES_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]
    settings.SALES_WORKING_HOURS = "08:00-12:00"
    settings.SALES_FIRST_CONTACT_SLA = 6
    # 1 h on Friday, 4 h on Saturday, the last hour on Monday.
    assert first_contact_due(at(27, 11)) == at(30, 9)
    assert humanise(waited(at(27, 8), at(27, 12))) == "1 working day"


@pytest.mark.parametrize(
    "hours, text",
    [(0.25, "15 min"), (2.4, "2 h"), (8.4, "8 h"), (8.5, "1 working day"), (8.5 * 3 + 1, "3 working days")],
)
def test_waiting_reads_in_hours_then_working_days(hours, text):
    assert humanise(timedelta(hours=hours)) == text
