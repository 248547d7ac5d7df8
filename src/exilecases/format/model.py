"""The pydantic models of a case file: the one place the schema lives.

Field order here is the canonical key order of written files. Vocabulary keys (status,
categories, event types, legal bases) are plain strings in the model: a repository may extend
its vocabularies, so they are checked against the merged vocabulary in ``validate.py``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from exilecases.format import fields
from exilecases.format.dates import DateError, normalise_date

#: An id, unanchored: ``ID_PATTERN`` anchors it for Python (``\Z``: a ``$`` would accept a
#: trailing newline), the JSON Schema for its own regex dialect.
ID_REGEX = r"[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]"
ID_PATTERN = re.compile(rf"\A{ID_REGEX}\Z")
ID_RULE = "3 to 64 characters of a-z, 0-9 and -, starting and ending with a letter or digit"


def _edtf(value: Any) -> str:
    try:
        return normalise_date(value)
    except DateError as error:
        raise PydanticCustomError(error.code, str(error)) from None


EdtfDate = Annotated[
    str,
    BeforeValidator(_edtf),
    Field(
        description="EDTF date: YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by "
        "? (uncertain), ~ (approximate) or % (both); or an interval START/END of two such "
        'dates ("2022/2023": some day between 2022 and 2023)',
        json_schema_extra={
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?[?~%]?(/\d{4}(-\d{2}(-\d{2})?)?[?~%]?)?$"
        },
    ),
]
CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description='ISO 3166-1 alpha-2 country code in capitals ("XX" = stateless)',
    ),
]
Text = Annotated[str, Field(max_length=100_000)]
SourceIds = Annotated[
    list[str], Field(description="Ids of [[sources]] entries of this file that support this")
]


class _Table(BaseModel):
    # strict: a number where text belongs is an error, not silently turned into text.
    # extra="allow": an unknown key is a warning and is kept, never dropped.
    model_config = ConfigDict(strict=True, extra="allow")


class Charge(_Table):
    """A legal basis used against the person."""

    basis: str = Field(description="Key in the vocabulary of legal bases, e.g. RU-CC-338")
    date: EdtfDate | None = None
    note: Text | None = None
    sources: SourceIds = Field(default_factory=list)


class Event(_Table):
    """One step of the timeline."""

    date: EdtfDate
    type: str = Field(description="Key in the vocabulary of event types")
    place: Text | None = None
    authority: Text | None = None
    outcome: str | None = Field(
        default=None, description="A status this event produced (vocabulary: statuses)"
    )
    proceeding: str | None = Field(
        default=None, description="Id of the [[proceedings]] entry this event belongs to"
    )
    note: Text | None = None
    sources: SourceIds = Field(default_factory=list)
    private: bool = Field(
        default=False,
        description="Format 1: never published; `exilecases fmt` moves it to [[private.events]]",
    )


class Proceeding(_Table):
    """One proceeding with its own clock: an asylum claim, an extradition, a UN complaint."""

    id: str = Field(description="Unique within the file, [a-z0-9-]; events and deadlines cite it")
    type: str = Field(description="Key in the vocabulary of proceeding types")
    authority: Text | None = None
    reference: Text | None = Field(default=None, description="Docket or file number")
    opened: EdtfDate | None = Field(default=None, description="Default: its earliest event")
    closed: EdtfDate | None = Field(
        default=None, description="A closed proceeding has no open deadlines"
    )
    lawyer: Text | None = Field(default=None, description="The name of one of the case's contacts")
    note: Text | None = None
    sources: SourceIds = Field(default_factory=list)


class Deadline(_Table):
    """Something that must be done by a day: an appeal, an order to leave, a detention limit."""

    due: EdtfDate = Field(description="The last day; partial and uncertain dates count early")
    type: str = Field(description="Key in the vocabulary of deadline types")
    proceeding: str | None = Field(
        default=None, description="Id of the [[proceedings]] entry it belongs to"
    )
    what: Text | None = None
    owner: Text | None = Field(default=None, description="Who must act: a contact's name")
    done: EdtfDate | None = Field(default=None, description="The day it was acted on")
    state: Literal["open", "met", "missed", "moot"] | None = Field(
        default=None,
        description="open (the default), met (the default when done is set), missed or moot",
    )
    rule: str | None = Field(
        default=None, description="The deadline rule it was derived from, once recorded"
    )
    trigger: EdtfDate | None = Field(
        default=None, description="The date of the event that triggered the rule"
    )
    note: Text | None = None
    sources: SourceIds = Field(default_factory=list)

    @staticmethod
    def state_of(entry: dict[str, Any]) -> str:
        """The state of a deadline entry: its ``state``, else met when done, else open."""
        state = entry.get("state")
        if isinstance(state, str):
            return state
        return "met" if entry.get("done") else "open"


class Source(_Table):
    """Where a fact comes from; cited by ``sources = [...]`` in charges and events."""

    id: str = Field(description="Unique within the file")
    outlet: Text | None = None
    title: Text | None = None
    url: Text | None = None
    archive_url: Text | None = Field(default=None, description="A saved copy, where one exists")
    published: EdtfDate | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = Field(
        default=None, description="ISO 639 language code of the source, e.g. ru, en"
    )
    confidence: Literal["high", "medium", "low"] | None = Field(
        default=None, description="How far the claim is established"
    )
    note: Text | None = None
    private: bool = Field(
        default=False,
        description="Format 1: never published; `exilecases fmt` moves it to [[private.sources]]",
    )


class Contact(_Table):
    """A lawyer, organisation or relative connected to the case."""

    name: Text
    role: Text | None = Field(default=None, description="lawyer, organisation, relative, ...")
    organisation: Text | None = None
    note: Text | None = None
    private: bool = Field(
        default=False,
        description="Format 1: never published; `exilecases fmt` moves it to [[private.contacts]]",
    )


class Private(_Table):
    """The one room for secrets: never in a public output. Free keys (``notes``, ``phone``,
    ``born``, ...) are allowed beside the fields below."""

    status: str | None = Field(
        default=None,
        description="The real status when it differs from the public one (vocabulary: statuses)",
    )
    contacts: list[Contact] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    proceedings: list[Proceeding] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)


class Sealed(_Table):
    """``[private]`` sealed with age (privacy.md, Rule 2): readable only by the team's keys."""

    recipients_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None, description="SHA-256 of the public keys it is sealed for (sorted)"
    )
    age: Annotated[str, Field(max_length=3_000_000)] = Field(
        description="One ASCII-armoured age message holding the TOML text of [private]"
    )


class Case(_Table):
    """One person's case: the content of ``data/cases/<id>.toml``."""

    id: str = Field(description=f"The file name without .toml: {ID_RULE}")
    name: Text = Field(description="As most sources spell it in Latin script")
    name_original: Text | None = Field(default=None, description="In the person's own script")
    aliases: list[Text] = Field(default_factory=list)
    born: EdtfDate | None = None
    citizenship: list[CountryCode] = Field(default_factory=list)
    origin_country: CountryCode = Field(description="The state that pursues the person")
    host_country: CountryCode = Field(description="Where the person sought refuge")
    categories: list[str] = Field(default_factory=list, description="Vocabulary: categories")
    status: str = Field(description="Vocabulary: statuses")
    risk: Text | None = None
    summary: Text | None = None
    distinct_from: list[str] = Field(
        default_factory=list,
        description="Ids of cases that look like this person but are someone else",
    )
    private_fields: list[str] = Field(
        default_factory=list,
        description='Fields of this case a public export leaves out, e.g. ["born", "events.place"]',
    )
    import_key: Text | None = Field(
        default=None,
        description="The row key of the spreadsheet this case was imported from (import's "
        "id_column), so that importing the sheet again updates instead of duplicating",
    )
    charges: list[Charge] = Field(default_factory=list)
    proceedings: list[Proceeding] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    private: Private = Field(
        default_factory=Private,
        description="The one room for secrets: never in a public output unless --private",
    )
    sealed: Sealed | None = None


#: Canonical key order, per table: ``format/fields.py`` (a test checks that the fields above
#: are declared in that order).
KEY_ORDER = fields.KEY_ORDER
#: The arrays of tables inside ``[private]`` (``[[private.events]]``), with their model.
PRIVATE_TABLES: dict[str, type[_Table]] = {
    "contacts": Contact,
    "events": Event,
    "sources": Source,
    "proceedings": Proceeding,
    "deadlines": Deadline,
}
#: The tables that are arrays of tables, with their model.
TABLE_MODELS: dict[str, type[_Table]] = {
    "charges": Charge,
    "proceedings": Proceeding,
    "events": Event,
    "deadlines": Deadline,
    "sources": Source,
    "contacts": Contact,
}
REQUIRED_FIELDS = list(fields.REQUIRED_FIELDS)


def normalise_case(case: Case) -> dict[str, Any]:
    """The case as a plain dict with only the keys the file has, in canonical order.

    Dates are EDTF strings; unknown keys are kept after the known ones.
    """
    return case.model_dump(mode="json", exclude_unset=True)
