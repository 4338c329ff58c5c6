"""ICS output: valid for two independent readers, right in local time, private by default."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import vobject
from ics_samples import ADDRESS, CHILD_NAMES, context, sample_schedule, schedule, visit
from served_meaning import content_lines, served_zone

from visitplanner.core.model import LONDON, VisitKind
from visitplanner.publish import PublishState, build_documents, calendar_names, render_feed


def feeds(sched=None, ctx=None) -> dict[str, bytes]:
    ctx = ctx or context()
    documents, _ = build_documents(sched or sample_schedule(), ctx, PublishState())
    names = calendar_names(documents, ctx)
    return {calendar: render_feed(docs, names[calendar]) for calendar, docs in documents.items()}


def events(feed: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(feed)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_every_calendar_has_a_feed_and_every_component_lands_where_its_reader_works():
    documents, _ = build_documents(sample_schedule(), context(), PublishState())
    assert sorted(documents) == ["team-west", "w-ana", "w-ben", "w-mgr"]
    assert sorted(documents["w-ana"]) == [
        "record-v-1@visitplanner",
        "v-1@visitplanner",
        "v-2@visitplanner",
    ]
    assert sorted(documents["team-west"]) == [
        "shortfall-C-0040-cin_first_visit-20260327@visitplanner",
        "v-1@visitplanner",
        "v-2@visitplanner",
        "v-3@visitplanner",
        "v-4@visitplanner",
    ]


def test_each_document_is_a_whole_calendar_with_one_component_and_its_timezone():
    documents, _ = build_documents(sample_schedule(), context(), PublishState())
    for docs in documents.values():
        for uid, document in docs.items():
            calendar = icalendar.Calendar.from_ical(document)
            components = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
            assert [str(c["UID"]) for c in components] == [uid]
            assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_icalendar_reads_back_uid_dtstamp_and_tzid_on_every_timed_event():
    for feed in feeds().values():
        calendar = icalendar.Calendar.from_ical(feed)
        assert len(calendar.walk("VTIMEZONE")) == 1
        for event in calendar.walk("VEVENT"):
            assert event["UID"] and event["DTSTAMP"].dt.tzinfo is not None
            start = event["DTSTART"]
            if event["X-VISITPLANNER-KIND"] == "shortfall":
                assert type(start.dt) is date  # all-day: a date has no time zone
            else:
                assert start.params["TZID"] == "Europe/London"


def test_vobject_an_independent_reader_parses_every_feed():
    for calendar_id, feed in feeds().items():
        parsed = vobject.readOne(feed.decode("utf-8"))
        raw = vobject.readOne(feed.decode("utf-8"), transform=False)  # keeps TZID as a parameter
        assert parsed.vtimezone.tzid.value == "Europe/London", calendar_id
        for event, raw_event in zip(parsed.vevent_list, raw.vevent_list, strict=True):
            assert event.uid.value.endswith("@visitplanner")
            assert event.dtstamp.value.tzinfo is not None
            if isinstance(event.dtstart.value, datetime):
                assert event.dtstart.value.tzinfo is not None
                assert raw_event.dtstart.params["TZID"] == ["Europe/London"]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 29), 9),  # the Sunday the clocks go forward: 10:00 BST
        (date(2026, 3, 30), 9),  # the Monday after
        (date(2026, 10, 25), 10),  # the Sunday the clocks go back: 10:00 GMT
        (date(2026, 10, 26), 10),
    ],
)
def test_visit_at_ten_around_a_clock_change_reads_back_as_ten_local(day: date, utc_hour: int):
    feed = feeds(schedule(date(2026, 3, 1), (visit("v-dst", day),)))["w-ana"]
    icalendar_start = events(feed)["v-dst@visitplanner"]["DTSTART"].dt
    vobject_start = vobject.readOne(feed.decode()).vevent.dtstart.value
    for start in (icalendar_start, vobject_start):
        assert (start.date(), start.hour, start.minute) == (day, 10, 0)
        assert start.astimezone(UTC) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_the_timezone_is_the_same_bytes_whatever_year_we_publish_in():
    early = build_documents(
        schedule(date(2021, 1, 4), (visit("v-a", date(2021, 1, 5)),)), context(), PublishState()
    )[0]
    late = build_documents(
        schedule(date(2039, 1, 4), (visit("v-b", date(2039, 1, 5)),)), context(), PublishState()
    )[0]
    zone = (
        icalendar.Calendar.from_ical(early["w-ana"]["v-a@visitplanner"])
        .walk("VTIMEZONE")[0]
        .to_ical()
    )
    assert (
        zone
        == icalendar.Calendar.from_ical(late["w-ana"]["v-b@visitplanner"])
        .walk("VTIMEZONE")[0]
        .to_ical()
    )


def _moments_that_matter(year: int) -> list[datetime]:
    """Noon UTC on the 1st of each month, and an hour either side of each clock change."""
    moments = [datetime(year, month, 1, 12, tzinfo=UTC) for month in range(1, 13)]
    for month in (3, 10):
        last_sunday = max(date(year, month, d) for d in range(25, 32) if date(year, month, d)
                          .weekday() == 6)
        change = datetime(last_sunday.year, month, last_sunday.day, 1, tzinfo=UTC)
        moments += [change - timedelta(minutes=1), change, change + timedelta(hours=1)]
    return moments


def test_the_timezone_as_written_gives_london_time_from_2020_to_2040():
    # dateutil builds the zone from the VTIMEZONE's own rules, as a calendar app does:
    # it must agree with the time-zone database, not just carry the right TZID.
    document = feeds()["w-ana"]
    zone = served_zone(document)
    for year in range(2020, 2041):
        for moment in _moments_that_matter(year):
            assert moment.astimezone(zone).utcoffset() == moment.astimezone(LONDON).utcoffset(), (
                moment
            )


def test_no_property_holds_a_comma_separated_list_a_server_could_cut():
    # Radicale keeps only the first value of such a list (Kozea/Radicale#1558).
    for feed in feeds().values():
        for line in content_lines(feed):
            if line.name in ("RDATE", "EXDATE") or line.name.startswith("X-VISITPLANNER-"):
                assert "," not in line.value.replace("\\,", ""), line


def test_unannounced_visit_is_private_and_says_so():
    event = events(feeds()["w-ana"])["v-2@visitplanner"]
    assert event["CLASS"] == "PRIVATE"
    assert "unannounced" in event.categories
    assert str(event["SUMMARY"]).startswith("Unannounced visit HH-014")


def test_announced_visit_is_not_marked_private():
    assert "CLASS" not in events(feeds()["w-ana"])["v-1@visitplanner"]


def test_categories_name_first_visits_re_visits_and_manager_cover():
    team = events(feeds()["team-west"])
    assert team["v-3@visitplanner"].categories == ["first visit"]
    assert team["v-4@visitplanner"].categories == ["re-visit", "cover", "manager cover"]
    assert team["v-4@visitplanner"]["X-VISITPLANNER-COVER-FOR"] == "w-ana"


def test_minimal_summary_shows_household_and_case_references_only():
    assert (
        events(feeds()["w-ana"])["v-1@visitplanner"]["SUMMARY"] == "Visit HH-014 (C-0031, C-0032)"
    )


def test_minimal_calendar_holds_no_childs_name_or_address_anywhere():
    def texts(feed: bytes) -> list[str]:
        """The feed as a reader sees it: unfolded (RFC 5545 3.1: CRLF and one space or tab
        removed), unescaped (3.3.11), and every value and parameter as icalendar and vobject
        parse them, so that neither a line fold nor an escape can hide a name."""
        unfolded = re.sub(r"\r\n[ \t]", "", feed.decode("utf-8"))
        escapes = {"\\n": "\n", "\\N": "\n", "\\,": ",", "\\;": ";", "\\\\": "\\"}
        unescaped = re.sub(r"\\[nN,;\\]", lambda m: escapes[m[0]], unfolded)
        found = [unfolded, unescaped]
        for _, value in icalendar.Calendar.from_ical(feed).property_items():
            found += [str(value), *(str(v) for v in getattr(value, "params", {}).values())]
        stack = list(vobject.readComponents(feed.decode("utf-8")))
        while stack:
            item = stack.pop()
            if isinstance(item, vobject.base.Component):
                stack += item.getChildren()
            else:
                found += [str(item.value), *(str(v) for vs in item.params.values() for v in vs)]
        return found

    def holds(feed: bytes, secret: str) -> bool:
        return any(secret in text for text in texts(feed))

    secrets = (*CHILD_NAMES[:2], ADDRESS, "Quorn")  # the names on w-ana's visit
    # The search can fail: it finds the names and the escaped address in a full calendar,
    # and a name that a 75-octet line fold splits.
    assert all(holds(feeds(ctx=context("full"))["w-ana"], secret) for secret in secrets)
    folded = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
              b"UID:x@test\r\nDTSTAMP:20260323T000000Z\r\nSUMMARY:Visit Zebedee Qu\r\n orn\r\n"
              b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert b"Zebedee Quorn" not in folded and holds(folded, "Zebedee Quorn")
    for feed in feeds(ctx=context("minimal")).values():
        for secret in (*CHILD_NAMES, ADDRESS, "Quorn"):
            assert not holds(feed, secret), secret


def test_minimal_description_still_gives_the_checklist_by_case_reference():
    description = str(events(feeds()["w-ana"])["v-1@visitplanner"]["DESCRIPTION"])
    assert "C-0031:\n  Checks: seen alone; bedroom" in description
    assert "Rule cp_10_working_days: by Thu 02 Apr 2026 (Policy 4.2)" in description
    assert "Due by: Thu 02 Apr 2026" in description
    assert "- discussion with parent/carer" in description


def test_standard_adds_initials_but_no_names():
    feed = feeds(ctx=context("standard"))["w-ana"]
    assert events(feed)["v-1@visitplanner"]["SUMMARY"] == "Visit HH-014 (C-0031 ZQ, C-0032 YQ)"
    assert not any(name.encode() in feed for name in CHILD_NAMES)
    assert ADDRESS.encode() not in feed


def test_full_shows_names_and_the_address():
    event = events(feeds(ctx=context("full"))["w-ana"])["v-1@visitplanner"]
    assert event["SUMMARY"] == "Visit HH-014 (Zebedee Quorn C-0031, Yolanda Quorn C-0032)"
    assert event["LOCATION"] == ADDRESS


def test_unknown_privacy_level_is_refused():
    with pytest.raises(ValueError, match="privacy must be one of"):
        context("everything")


def test_machine_readable_properties_carry_case_refs_checks_rules_and_due_by():
    event = events(feeds()["w-ana"])["v-1@visitplanner"]
    assert [str(v) for v in event["X-VISITPLANNER-CASE-REF"]] == ["C-0031", "C-0032"]
    checks = event["X-VISITPLANNER-CHECK"]  # one line per check: no list a server can cut
    assert [(c.params["X-CASE-REF"], str(c)) for c in checks] == [
        ("C-0031", "seen_alone"),
        ("C-0031", "bedroom"),
        ("C-0032", "seen_alone"),
        ("C-0032", "bedroom"),
    ]
    assert "X-VISITPLANNER-CHECKS" not in event
    rules = event["X-VISITPLANNER-RULE"]
    assert [(r.params["X-CASE-REF"], r.params["X-DEADLINE"], str(r)) for r in rules] == [
        ("C-0031", "20260402", "cp_10_working_days"),
        ("C-0032", "20260402", "cp_10_working_days"),
    ]
    assert event["X-VISITPLANNER-DUE-BY"].dt == date(2026, 4, 2)
    assert event["X-VISITPLANNER-KIND"] == "routine"
    assert event["X-VISITPLANNER-RECORD-BY"].dt == date(2026, 4, 2)


def test_each_visit_has_one_display_alarm_per_configured_reminder():
    alarms = events(feeds()["w-ana"])["v-1@visitplanner"].walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(days=-1), timedelta(hours=-1)]
    assert {str(a["ACTION"]) for a in alarms} == {"DISPLAY"}


def test_recording_task_is_a_todo_due_on_its_date_in_the_workers_calendar():
    todo = icalendar.Calendar.from_ical(feeds()["w-ana"]).walk("VTODO")[0]
    assert str(todo["UID"]) == "record-v-1@visitplanner"
    assert todo["DUE"].dt == date(2026, 4, 2)
    assert str(todo["RELATED-TO"]) == "v-1@visitplanner"
    assert "- analysis" in str(todo["DESCRIPTION"])
    assert b"VTODO" not in feeds()["team-west"]


def test_shortfall_is_an_all_day_free_event_on_the_deadline_in_the_team_calendar():
    event = events(feeds()["team-west"])["shortfall-C-0040-cin_first_visit-20260327@visitplanner"]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2026, 3, 27), date(2026, 3, 28))
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["SUMMARY"] == "Shortfall C-0040: cin_first_visit, 5 days late"


def test_cover_visit_shows_in_the_coverers_calendar_not_the_allocated_workers():
    documents, _ = build_documents(sample_schedule(), context(), PublishState())
    assert "v-4@visitplanner" in documents["w-mgr"]
    assert "v-4@visitplanner" not in documents["w-ana"]


def test_worker_without_visits_still_gets_an_empty_but_valid_calendar():
    only_ben = schedule(date(2026, 3, 23), (visit("v-9", date(2026, 3, 24), worker="w-ben"),))
    feed = feeds(only_ben)["w-mgr"]
    calendar = icalendar.Calendar.from_ical(feed)
    assert calendar.walk("VEVENT") == [] and len(calendar.walk("VTIMEZONE")) == 1
    assert vobject.readOne(feed.decode()).vtimezone.tzid.value == "Europe/London"


def test_visit_kind_titles_read_naturally():
    away = schedule(
        date(2026, 3, 23),
        (visit("v-a", date(2026, 3, 24), kind=VisitKind.AWAY_FROM_HOME, announced=False),),
    )
    event = events(feeds(away)["w-ana"])["v-a@visitplanner"]
    assert str(event["SUMMARY"]).startswith("Unannounced visit away from home HH-014")
    assert event.categories == ["unannounced", "away from home"]


def test_duty_and_short_notice_visits_say_so_in_the_calendar():
    duty = replace(visit("v-d", date(2026, 3, 28)), flags=("duty",))
    short = replace(visit("v-s", date(2026, 3, 24)), flags=("short_notice",))
    feed = feeds(schedule(date(2026, 3, 23), (duty, short)))["w-ana"]
    # Read back by a second parser: the categories a worker's client shows.
    shown = {str(e.uid.value): [str(c) for line in e.contents["categories"] for c in line.value]
             for e in vobject.readOne(feed.decode()).vevent_list}
    assert shown == {"v-d@visitplanner": ["duty"], "v-s@visitplanner": ["short notice"]}


def test_duplicate_visit_ids_are_refused_rather_than_merged():
    twice = schedule(
        date(2026, 3, 23), (visit("v-1", date(2026, 3, 24)), visit("v-1", date(2026, 3, 25)))
    )
    with pytest.raises(ValueError, match="v-1@visitplanner"):
        build_documents(twice, context(), PublishState())


def test_start_is_written_in_london_time_even_from_a_utc_datetime():
    utc_visit = visit("v-u", date(2026, 6, 1))
    from dataclasses import replace

    utc_visit = replace(
        utc_visit, start=utc_visit.start.astimezone(UTC), end=utc_visit.end.astimezone(UTC)
    )
    feed = feeds(schedule(date(2026, 5, 1), (utc_visit,)))["w-ana"]
    assert b"DTSTART;TZID=Europe/London:20260601T100000" in feed
    assert events(feed)["v-u@visitplanner"]["DTSTART"].dt == datetime(2026, 6, 1, 10, tzinfo=LONDON)


def test_a_visit_shows_the_record_headings_of_its_childrens_plan() -> None:
    from dataclasses import replace as with_

    from visitplanner.publish.ics import build_documents
    from visitplanner.publish.state import PublishState

    ctx = with_(context(), recording_headings={
        "CP": ("cp plan progress",), "CIN": ("cin purpose",)})
    day = date(2026, 12, 1)
    cp_visit = visit("v-cp", day)
    cin_visit = visit("v-cin", day, hour=14, household="HH-020",
                                  case_refs=("C-0040",))
    documents, _ = build_documents(schedule(day, (cp_visit, cin_visit)), ctx,
                                   PublishState())
    cp_text = documents["w-ana"]["v-cp@visitplanner"].decode()
    cin_text = documents["w-ana"]["v-cin@visitplanner"].decode()
    assert "cp plan progress" in cp_text and "cin purpose" not in cp_text
    assert "cin purpose" in cin_text and "cp plan progress" not in cin_text
