"""``due --format ics``: the deadlines as an iCalendar file (RFC 5545), through icalendar.

One all-day event per deadline on its earliest possible day, with an alarm some days
before. Each event's UID is made from the case id and what identifies the deadline (its
number in the file, or its rule and trigger), never from its dates, so that importing the
file again updates the events instead of adding copies. The file carries public fields
only: a calendar service sees everything in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exilecases.format.vocabulary import Vocabulary
    from exilecases.ops.deadlines import Deadline

PRODUCT = "-//exilecases//due//EN"


def deadline_uid(item: Deadline) -> str:
    """A UID that stays the same while the deadline stays the same deadline."""
    if item.derived:
        trigger = item.trigger or {}
        key = f"{item.case}\0derived\0{item.rule}\0{trigger.get('date')}\0{trigger.get('type')}"
    else:
        key = f"{item.case}\0recorded\0{item.number}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@exilecases"


def _description(item: Deadline) -> str:
    from exilecases.ops.deadlines import ADVICE

    lines = [f"Case: {item.name} ({item.case})", f"Due: {item.due}"]
    if item.uncertain:
        lines.append(
            f"The date is uncertain: between {item.earliest.isoformat()} and "
            f"{item.latest.isoformat()}; this event is on the earliest possible day."
        )
    if item.what:
        lines.append(item.what)
    if item.proceeding:
        lines.append(f"Proceeding: {item.proceeding}")
    if item.owner:
        lines.append(f"Owner: {item.owner}")
    if item.derived and item.trigger:
        lines.append(
            f"Derived by rule {item.rule} from the {item.trigger['type']} event of "
            f"{item.trigger['date']}. {ADVICE}"
        )
    return "\n".join(lines)


def calendar_text(
    items: Sequence[Deadline], vocabulary: Vocabulary, as_of: dt.date, alarm_days: int
) -> str:
    """The iCalendar text of ``items`` (which must come from the public view)."""
    from icalendar import Alarm, Calendar, Event

    from exilecases.cli.text import safe  # a calendar shows its text as it is, too

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "exilecases deadlines")
    # A fixed stamp (the as-of day) keeps the file the same from one run to the next.
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    for item in items:
        event = Event()
        event.add("uid", deadline_uid(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.earliest)
        event.add("dtend", item.earliest + dt.timedelta(days=1))
        label = vocabulary.label("deadline_types", item.type)
        mark = " (derived)" if item.derived else ""
        event.add("summary", safe(f"{item.name}: {label}{mark}"))
        event.add("description", safe(_description(item), layout=True))
        event.add("categories", ["exilecases", safe(item.type)])
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        when = f"in {alarm_days} day{'s' * (alarm_days != 1)}" if alarm_days else "today"
        alarm.add("description", safe(f"Deadline {when}: {item.name}, {label}"))
        alarm.add("trigger", dt.timedelta(days=-alarm_days))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
