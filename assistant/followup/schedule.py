"""`delaynote schedule`: the update dates, phase due dates and delivery date as an iCalendar file.

RFC 5545 only (no vendor extensions), written with the `icalendar` library, imported only here.
The updates are one recurring event (RRULE) from the next update to the day before delivery; each
event has a VALARM before it. UIDs come from the project and the event's role (the updates, a
phase's name, the delivery), never from its date, so importing the file again after a change
moves the events instead of adding copies.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from assistant.dates import CADENCE_DAYS, format_date, known_zone
from assistant.errors import InputError
from assistant.facts import Facts

if TYPE_CHECKING:
    from assistant.followup.history import Sent

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_before(text: str) -> timedelta:
    """'30m', '2h', '1d', '1w' -> a timedelta; anything else is an InputError naming the form."""
    match = _DURATION.match(text)
    if not match:
        raise InputError(f"--remind {text!r} is not a duration such as 30m, 2h, 1d or 1w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InputError(f"--at {text!r} is not a time of day such as 09:00") from None


def zone(name: str) -> tzinfo:
    found = known_zone(name)
    if found is None:
        raise InputError(f"--tz {name!r} is not a known time zone; use a name such as Europe/London or "
                         "Asia/Shanghai")
    return found


def update_dates(first: date, delivery: date, cadence: str) -> list[date]:
    """Every update date from `first`, one cadence step apart, before the delivery date."""
    step = timedelta(days=CADENCE_DAYS[cadence])
    out, day = [], first
    while day < delivery:
        out.append(day)
        day += step
    return out


def _uid(project: str, role: str) -> str:
    key = hashlib.sha256(f"{' '.join(project.split()).casefold()}\x00{role}".encode()).hexdigest()[:24]
    return f"{key}@delaynote"


def build_calendar(facts: Facts, *, last: Sent | None = None, sent_count: int = 0, tz: str = "UTC",
                   at: str = "09:00", remind: str = "1d", now: datetime | None = None) -> bytes:
    """The calendar as bytes (CRLF lines, UTF-8). `last` is the last message sent (from the history):
    its delivery date and promised next update take precedence over the facts'. `sent_count` (the
    messages sent so far) is every event's SEQUENCE: it grows as the plan is re-told, so a calendar
    program takes a re-imported event as the newer version of the one it has."""
    from icalendar import Alarm, Calendar, Event

    from assistant.followup.drafting import _render, update_phrases

    zone_info, at_time, before = zone(tz), parse_time(at), parse_before(remind)
    lang = facts.language
    delivery = last.delivery_date if last else facts.new_date
    first = (last.next_update if last else facts.next_update) or delivery
    p = update_phrases(lang)
    ctx = {"contact": facts.client.contact, "project": facts.project, "delivery": format_date(delivery, lang),
           "cadence": p["cadence"][facts.updates.cadence]}
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//delaynote//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")

    def event(role: str, day: date, title: str, text: str, minutes: int = 30):
        ev = Event()
        start = datetime.combine(day, at_time, tzinfo=zone_info)
        ev.add("uid", _uid(facts.project, role))
        ev.add("dtstamp", stamp)
        ev.add("sequence", sent_count)
        ev.add("dtstart", start)
        ev.add("dtend", start + timedelta(minutes=minutes))
        ev.add("summary", title)
        ev.add("description", text)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _render(p["cal_alarm"], {"title": title}))
        alarm.add("trigger", -before)
        ev.add_component(alarm)
        cal.add_component(ev)
        return ev

    dates = update_dates(first, delivery, facts.updates.cadence)
    if dates:
        ev = event("updates", dates[0], _render(p["cal_update_title"], ctx), _render(p["cal_update_text"], ctx))
        if len(dates) > 1:
            ev.add("rrule", {"freq": "daily", "interval": CADENCE_DAYS[facts.updates.cadence], "count": len(dates)})
    for phase in facts.phases:
        if phase.due < delivery:
            pctx = {**ctx, "phase": phase.name}
            event(f"phase:{phase.name}", phase.due, _render(p["cal_phase_title"], pctx),
                  _render(p["cal_phase_text"], pctx))
    event("delivery", delivery, _render(p["cal_delivery_title"], ctx), _render(p["cal_delivery_text"], ctx), 60)
    if hasattr(cal, "add_missing_timezones"):  # the zone's rules for the span of the plan, not 1970-2038
        cal.add_missing_timezones(first_date=min([first, *dates]) - timedelta(days=366),
                                  last_date=delivery + timedelta(days=366))
    return cal.to_ical()
