"""Findings: what ``validate`` reports, each with a stable code.

A finding is a value (``path, line, col, severity, code, message``); core functions return
lists of them and only the CLI decides how to print them and which exit status to give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: The catalogue of finding codes: code -> (name, what it means). Codes never change meaning;
#: docs/findings.md is checked against this table by the tests.
CODES: dict[str, tuple[str, str]] = {
    "E001": ("toml-syntax", "the file is not valid TOML"),
    "E002": ("empty-file", "the file is empty or holds only comments"),
    "E003": ("not-utf8", "the file is not UTF-8 text"),
    "E004": ("merge-conflict", "the file holds git conflict markers"),
    "E005": ("too-large", "the file is too large, too deeply nested or holds a huge string"),
    "E006": ("not-a-file", "a link, FIFO, socket, device or folder named like a case file"),
    "E010": ("missing-field", "a required field is missing"),
    "E011": ("wrong-type", "a field has the wrong type"),
    "E012": ("invalid-value", "a field's value is not allowed (country code, confidence, ...)"),
    "E013": ("non-finite-number", "a number is inf or nan, which JSON and CSV cannot hold"),
    "E020": ("unknown-status", "the status is not in the vocabulary"),
    "E021": ("unknown-category", "a category is not in the vocabulary"),
    "E022": ("unknown-event-type", "an event type is not in the vocabulary"),
    "E023": ("unknown-basis", "a legal basis is not in the vocabulary"),
    "E030": ("invalid-date", "a date is not in the EDTF subset"),
    "E031": ("impossible-date", "a date names a day that does not exist"),
    "E040": ("id-mismatch", "the id is not the file name"),
    "E041": ("invalid-id", "the id is not 3..64 characters of a-z, 0-9 and -"),
    "E042": ("duplicate-id", "two files have the same id"),
    "E050": ("unknown-source", "a cited source id is not defined in the file"),
    "E051": ("duplicate-source", "two sources in one file have the same id"),
    "E060": ("vocabulary", "the repository's data/vocabulary.toml is broken"),
    "E061": ("unknown-private-field", "a private field path names no field of the format"),
    "E070": ("unknown-proceeding-type", "a proceeding type is not in the vocabulary"),
    "E071": ("unknown-deadline-type", "a deadline type is not in the vocabulary"),
    "E072": ("unknown-proceeding", "an event or deadline names a proceeding the file lacks"),
    "E073": ("duplicate-proceeding", "two proceedings in one file have the same id"),
    "E074": ("unknown-contact", "a lawyer or owner is not the name of one of the contacts"),
    "E075": ("private-contact", "a public lawyer or owner names a private contact"),
    "E090": ("plaintext-private", "a plaintext [private] table in a sealed repository"),
    "E091": ("sealed-damaged", "a [sealed] block is not an intact age message"),
    "E092": ("sealed-invalid", "a sealed private part is not a [private] table in TOML"),
    "E093": ("unsealed-private", "a private value stands outside the sealed block"),
    "W101": ("unknown-key", "a key the format does not define (kept, but likely a typo)"),
    "W102": ("status-disagrees", "the status disagrees with the latest event outcome"),
    "W103": ("outcome-unsourced", "an event that changes the status cites no source"),
    "W104": ("likely-duplicate", "two files look like the same person"),
    "W105": ("personal-data", "a public field looks like personal data"),
    "W106": ("hidden-characters", "a name, alias or id holds invisible or bidi characters"),
    "W107": ("vocabulary-redefined", "data/vocabulary.toml changes a built-in entry's outcome"),
    "W110": ("schema-outdated", "the JSON Schema written by init no longer matches the vocabulary"),
    "W120": ("open-in-closed", "an open deadline belongs to a closed proceeding"),
    "W121": ("done-before-trigger", "a deadline was done before the event that triggered it"),
    "W122": ("future-event", "an event that cannot be scheduled is dated after today"),
    "W123": ("unknown-rule", "a deadline names a deadline rule the vocabulary lacks"),
    "W124": ("state-contradicts-done", "a deadline marked open has a done date"),
    "W190": ("sealed-not-for-you", "your identity cannot open a sealed private part"),
    "W191": ("sealed-stale", "a private part is sealed for another set of keys"),
}

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one place of one file. ``path`` is relative to the repository."""

    path: str
    line: int
    col: int
    severity: str
    code: str
    message: str

    @property
    def name(self) -> str:
        """The stable short name of the code, e.g. ``unknown-status``."""
        return CODES[self.code][0]

    def format(self) -> str:
        """``PATH:LINE:COL: severity CODE: message`` (the contract of ``validate``)."""
        return f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"

    def to_dict(self) -> dict:
        """The JSON form of the finding, with the code's short name added."""
        return {**asdict(self), "name": self.name}

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then position."""
        return (self.path, self.line, self.col, self.code)


def finding(path: str, line: int, col: int, code: str, message: str) -> Finding:
    """Build a finding; its severity follows from the code's letter (E error, W warning)."""
    if code not in CODES:
        raise KeyError(f"unknown finding code {code}")
    severity = ERROR if code.startswith("E") else WARNING
    return Finding(path, max(line, 1), max(col, 1), severity, code, message)
