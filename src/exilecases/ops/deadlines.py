"""Deadlines: the ones a case records, the ones its events imply, and breaches of interim
measures.

A recorded deadline is a ``[[deadlines]]`` entry. A derived one comes from a deadline rule of
the vocabulary (``[deadline_rules.KEY]``): an event that matches the rule's ``when`` starts a
clock of ``days`` or ``months``; a partial or uncertain trigger date gives a range of days,
and the earliest counts, so the tool warns early, never late. A derived deadline disappears
once the case records a deadline of the same type in the same proceeding dated on or after
the trigger, or once that proceeding is closed. Derived deadlines are advice to a lawyer:
every output that shows them says so.

Everything here is pure: it takes case dicts and returns values. Public outputs pass the
case through the public view first (``deadline_items(..., private=False)`` does it).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exilecases.format.dates import AnyDate, DateError, parse_date
from exilecases.format.fields import entries
from exilecases.format.vocabulary import Vocabulary

#: What every output showing derived deadlines says.
ADVICE = (
    "Derived deadlines are computed from the vocabulary's deadline rules: advice to a lawyer, "
    "not legal advice; the law is the lawyer's to check."
)
#: Event types that return a person to the origin state.
RETURN_EVENTS = ("deportation", "extradition", "handover")
#: The values of ``interim_measures_breach``.
BREACH_VALUES = ("breach", "possible_breach", "none")
#: The keys of one ``due --format json`` item, in order (the contract of proceedings.md).
DUE_KEYS = (
    "case",
    "name",
    "type",
    "what",
    "due",
    "earliest",
    "latest",
    "days_left",
    "state",
    "derived",
    "rule",
    "trigger",
    "proceeding",
    "owner",
)
#: The days ``due`` looks ahead by default.
DEFAULT_WITHIN = 14


@dataclass(frozen=True)
class Deadline:
    """One deadline of one case, recorded or derived, before it is placed on a calendar.

    ``number`` is the recorded entry's number (``"3"``, ``"p1"`` for a private one), which
    ``deadline done ID N`` takes; derived deadlines have none. ``state`` is the file's
    (``open``, ``met``, ``missed``, ``moot``); derived ones are always ``open``.
    """

    case: str
    name: str
    type: str
    what: str | None
    due: str
    earliest: dt.date
    latest: dt.date
    state: str
    derived: bool = False
    rule: str | None = None
    trigger: dict[str, str] | None = None
    proceeding: str | None = None
    owner: str | None = None
    number: str | None = None
    private: bool = False
    uncertain: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def days_left(self, as_of: dt.date) -> int:
        """Days from ``as_of`` to the earliest possible day (negative: overdue)."""
        return (self.earliest - as_of).days

    def listing(self, as_of: dt.date) -> dict[str, Any]:
        """The JSON object ``due`` prints for this deadline on ``as_of``."""
        days = self.days_left(as_of)
        return {
            "case": self.case,
            "name": self.name,
            "type": self.type,
            "what": self.what,
            "due": self.due,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "days_left": days,
            "state": "overdue" if days < 0 else "open",
            "derived": self.derived,
            "rule": self.rule,
            "trigger": self.trigger,
            "proceeding": self.proceeding,
            "owner": self.owner,
        }

    def index_row(self) -> tuple[str, str, str, str, str, str | None, int, str]:
        """What the index stores of an open deadline: the columns it filters and sorts by,
        and the listing as JSON with ``days_left`` and ``state`` to be filled in (in place,
        by SQL, for the JSON output; see ``from_index``)."""
        listing = json.dumps(self.listing(self.earliest), ensure_ascii=False)
        return (
            self.earliest.isoformat(),
            self.latest.isoformat(),
            self.type,
            (self.owner or "").casefold(),
            self.what or "",
            self.number,
            int(self.uncertain),
            listing,
        )

    @classmethod
    def from_index(cls, listing: dict[str, Any], number: str | None, uncertain: int) -> Deadline:
        """The deadline an index row stands for (open, public)."""
        return cls(
            case=listing["case"],
            name=listing["name"],
            type=listing["type"],
            what=listing["what"],
            due=listing["due"],
            earliest=dt.date.fromisoformat(listing["earliest"]),
            latest=dt.date.fromisoformat(listing["latest"]),
            state="open",
            derived=listing["derived"],
            rule=listing["rule"],
            trigger=listing["trigger"],
            proceeding=listing["proceeding"],
            owner=listing["owner"],
            number=number,
            uncertain=bool(uncertain),
        )


# --- dates ------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _later(day: dt.date, rule: dict[str, Any]) -> dt.date:
    if "months" in rule:
        return add_months(day, int(rule["months"]))
    return day + dt.timedelta(days=int(rule["days"]))


def derived_due(trigger: AnyDate, rule: dict[str, Any]) -> tuple[str, dt.date, dt.date]:
    """The ``due`` text, earliest and latest day of a rule's deadline after ``trigger``.

    One certain day gives an ISO day; an uncertain or approximate one keeps its mark
    (``2025-03-07?``); a partial trigger gives an interval (``2026-03-03/2026-03-30``).
    """
    earliest, latest = _later(trigger.earliest, rule), _later(trigger.latest, rule)
    mark = "%" if trigger.uncertain and trigger.approximate else ""
    mark = mark or ("?" if trigger.uncertain else "~" if trigger.approximate else "")
    if earliest == latest:
        return f"{earliest.isoformat()}{mark}", earliest, latest
    return f"{earliest.isoformat()}{mark}/{latest.isoformat()}{mark}", earliest, latest


def _date(value: Any) -> AnyDate | None:
    try:
        return parse_date(value) if value is not None else None
    except DateError:
        return None


# --- the deadlines of one case ------------------------------------------------------------


@dataclass
class _Parts:
    """The proceedings, events and numbered deadlines a computation may see."""

    proceedings: list[dict[str, Any]]
    events: list[tuple[dict[str, Any], bool]]  # (event, private)
    deadlines: list[tuple[str, dict[str, Any], bool]]  # (number, entry, private)
    private_proceedings: set[str] = field(default_factory=set)


def _parts(
    case: dict[str, Any],
    vocabulary: Vocabulary | None,
    private: bool,
    public: dict[str, Any] | None = None,
) -> _Parts:
    """What a public (or, with ``private``, a private) computation sees of a case.

    The public view comes from ``privacy.redact``; the numbers of the deadlines stay those
    of the file (entries marked ``private = true`` keep their places).
    """
    if private:
        hidden = case.get("private") if isinstance(case.get("private"), dict) else {}
        secret = entries(hidden, "proceedings")
        return _Parts(
            entries(case, "proceedings") + secret,
            [(e, False) for e in entries(case, "events")]
            + [(e, True) for e in entries(hidden, "events")],
            [(str(i), e, False) for i, e in enumerate(entries(case, "deadlines"), 1)]
            + [(f"p{i}", e, True) for i, e in enumerate(entries(hidden, "deadlines"), 1)],
            {str(p.get("id")) for p in secret},
        )
    if public is None:
        from exilecases.format.privacy import redact

        public = redact(case, vocabulary)
    numbers = [
        str(i)
        for i, entry in enumerate(entries(case, "deadlines"), 1)
        if entry.get("private") in (None, False)
    ]
    kept = entries(public, "deadlines")
    return _Parts(
        entries(public, "proceedings"),
        [(e, False) for e in entries(public, "events")],
        [(n, e, False) for n, e in zip(numbers, kept, strict=False)],
    )


def deadline_items(
    case: dict[str, Any],
    vocabulary: Vocabulary,
    *,
    private: bool = False,
    public: dict[str, Any] | None = None,
) -> list[Deadline]:
    """Every recorded deadline of the case (in any state) and every derived one still
    standing, in file order (recorded first). Public unless ``private``; ``public`` is the
    case's public view when the caller has made it already."""
    from exilecases.format.model import Deadline as DeadlineModel

    parts = _parts(case, vocabulary, private, public)
    case_id, name = str(case.get("id", "")), str(case.get("name", ""))
    proceedings = {str(p.get("id")): p for p in parts.proceedings}
    items: list[Deadline] = []
    for number, entry, hidden in parts.deadlines:
        date = _date(entry.get("due"))
        if date is None:
            continue
        proceeding = proceedings.get(str(entry.get("proceeding")), {})
        items.append(
            Deadline(
                case=case_id,
                name=name,
                type=str(entry.get("type", "other")),
                what=entry.get("what"),
                due=str(entry["due"]),
                earliest=date.earliest,
                latest=date.latest,
                state=DeadlineModel.state_of(entry),
                rule=entry.get("rule"),
                proceeding=entry.get("proceeding"),
                owner=entry.get("owner") or proceeding.get("lawyer"),
                number=number,
                private=hidden,
                uncertain=not date.exact,
                extra={"done": entry.get("done")},
            )
        )
    items.extend(_derived(case_id, name, parts, proceedings, vocabulary))
    return items


def rule_matches(rule: dict[str, Any], event: dict[str, Any], proceeding: dict[str, Any]) -> bool:
    """True when ``event`` (in ``proceeding``, ``{}`` for none) starts ``rule``'s clock."""
    when = rule.get("when")
    if not isinstance(when, dict) or event.get("type") != when.get("event"):
        return False
    if "proceeding_type" in when and proceeding.get("type") != when["proceeding_type"]:
        return False
    return not ("outcome" in when and event.get("outcome") != when["outcome"])


def _derived(
    case_id: str,
    name: str,
    parts: _Parts,
    proceedings: dict[str, dict[str, Any]],
    vocabulary: Vocabulary,
) -> list[Deadline]:
    rules = vocabulary.entries.get("deadline_rules", {})
    if not rules:
        return []
    recorded = [(entry, _date(entry.get("due"))) for _, entry, _ in parts.deadlines]
    found = []
    for event, hidden in parts.events:
        proceeding_id = event.get("proceeding")
        proceeding = proceedings.get(str(proceeding_id), {}) if proceeding_id else {}
        if proceeding.get("closed"):
            continue
        trigger = _date(event.get("date"))
        if trigger is None:
            continue
        for key, rule in rules.items():
            if not rule_matches(rule, event, proceeding):
                continue
            kind = str(rule.get("type", "other"))
            if any(
                entry.get("type") == kind
                and entry.get("proceeding") == proceeding_id
                and date is not None
                and date.earliest >= trigger.earliest
                for entry, date in recorded
            ):
                continue
            due, earliest, latest = derived_due(trigger, rule)
            found.append(
                Deadline(
                    case=case_id,
                    name=name,
                    type=kind,
                    what=rule.get("what"),
                    due=due,
                    earliest=earliest,
                    latest=latest,
                    state="open",
                    derived=True,
                    rule=key,
                    trigger={"date": str(event["date"]), "type": str(event.get("type"))},
                    proceeding=proceeding_id,
                    owner=proceeding.get("lawyer"),
                    private=hidden or str(proceeding_id) in parts.private_proceedings,
                    uncertain=not (trigger.exact and earliest == latest),
                )
            )
    return found


@dataclass
class PublicFacts:
    """What the index keeps of a case for ``due``, ``list`` and ``stats`` (public view)."""

    deadlines: list[Deadline]
    proceeding_types: list[str]
    breach: str
    private_open: int


def public_facts(
    case: dict[str, Any], vocabulary: Vocabulary, public: dict[str, Any] | None = None
) -> PublicFacts:
    """The open public deadlines, proceeding types and breach of a case, from its public
    view (``public``, made here when not given), and the number of its open private
    deadlines (a count, never their content)."""
    if public is None:
        from exilecases.format.privacy import redact

        public = redact(case, vocabulary)
    types = {str(p.get("type")) for p in entries(public, "proceedings") if p.get("type")}
    return PublicFacts(
        open_items(deadline_items(case, vocabulary, public=public)),
        sorted(types),
        breach(public),
        private_open_count(case),
    )


def open_items(items: Iterable[Deadline]) -> list[Deadline]:
    """The deadlines still to be acted on (recorded open ones and derived ones)."""
    return [item for item in items if item.state == "open"]


def private_open_count(case: dict[str, Any]) -> int:
    """How many open deadlines the case keeps under ``[[private.deadlines]]``."""
    from exilecases.format.model import Deadline as DeadlineModel

    hidden = case.get("private")
    if not isinstance(hidden, dict):
        return 0
    return sum(1 for e in entries(hidden, "deadlines") if DeadlineModel.state_of(e) == "open")


def next_deadline(case: dict[str, Any], vocabulary: Vocabulary) -> dt.date | None:
    """The earliest possible day of the case's next open deadline (public view)."""
    days = [item.earliest for item in open_items(deadline_items(case, vocabulary))]
    return min(days) if days else None


# --- choosing what is due -------------------------------------------------------------------


@dataclass
class DueQuery:
    """The options of ``due``: which open deadlines to list on which day."""

    as_of: dt.date
    within: int = DEFAULT_WITHIN
    owners: Sequence[str] = ()
    types: Sequence[str] = ()
    overdue: bool = False
    every: bool = False

    @property
    def horizon(self) -> dt.date | None:
        """The last earliest day listed (None: no limit)."""
        if self.every:
            return None
        if self.overdue:
            return self.as_of - dt.timedelta(days=1)
        return self.as_of + dt.timedelta(days=self.within)

    def keeps(self, item: Deadline) -> bool:
        """True when ``item`` belongs in the listing."""
        if item.state != "open":
            return False
        horizon = self.horizon
        if horizon is not None and item.earliest > horizon:
            return False
        if self.types and item.type not in self.types:
            return False
        if self.owners:
            wanted = {owner.casefold() for owner in self.owners}
            if (item.owner or "").casefold() not in wanted:
                return False
        return True


def sort_key(item: Deadline) -> tuple:
    """Earliest day first, then the case, then the narrower range, then the type."""
    return (item.earliest, item.case, item.latest, item.type, item.what or "")


def due(items: Iterable[Deadline], query: DueQuery) -> list[Deadline]:
    """The deadlines ``query`` lists, in order."""
    return sorted((item for item in items if query.keeps(item)), key=sort_key)


# --- breaches of interim measures -------------------------------------------------------------


def breach(case: dict[str, Any], *, private: bool = False) -> str:
    """``breach`` when the person was certainly returned (deportation, extradition,
    hand-over) after interim measures were granted and before any were lifted;
    ``possible_breach`` when the dates allow it; else ``none``.

    Public events only unless ``private`` (the caller passes the public view for public
    outputs).
    """
    events = entries(case, "events")
    hidden = case.get("private")
    if private and isinstance(hidden, dict):
        events += entries(hidden, "events")
    dated = [(e, d) for e in events if (d := _date(e.get("date"))) is not None]
    grants = [(e, d) for e, d in dated if e.get("type") == "interim_measures_granted"]
    lifts = [(e, d) for e, d in dated if e.get("type") == "interim_measures_lifted"]
    returns = [d for e, d in dated if e.get("type") in RETURN_EVENTS]
    result = "none"
    for grant, granted in grants:
        same = [
            lifted
            for lift, lifted in lifts
            if not (lift.get("proceeding") and grant.get("proceeding"))
            or lift.get("proceeding") == grant.get("proceeding")
        ]
        for returned in returns:
            verdict = _pair_breach(granted, returned, same)
            if verdict == "breach":
                return "breach"
            if verdict == "possible_breach":
                result = verdict
    return result


def _pair_breach(granted: AnyDate, returned: AnyDate, lifts: list[AnyDate]) -> str:
    if returned.latest < granted.earliest:
        return "none"  # certainly before the measures
    if any(
        lifted.earliest >= granted.latest and lifted.latest <= returned.earliest for lifted in lifts
    ):
        return "none"  # certainly lifted in between
    possibly_lifted = any(
        lifted.latest >= granted.earliest and lifted.earliest <= returned.latest for lifted in lifts
    )
    if returned.earliest > granted.latest and not possibly_lifted:
        return "breach"
    return "possible_breach"
