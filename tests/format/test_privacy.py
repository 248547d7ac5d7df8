"""Tests of privacy.py: the public copy of a case, and the W105 personal-data check."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest

from conftest import FIXTURES, PROJECT
from exilecases.format.findings import CODES
from exilecases.format.positions import KeyPositions
from exilecases.format.privacy import (
    ADDRESS,
    DEFAULT_PRIVATE_FIELDS,
    EMAIL,
    NUMBER,
    PHONE,
    personal_data_findings,
    personal_data_kinds,
    private_fields,
    redact,
)
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.load import load
from exilecases.ops.validate import check_file
from exilecases.store.files import load_vocabulary

LEBEDEV = FIXTURES / "valid" / "lebedev-arkadij.toml"
BROKEN = FIXTURES / "broken"


def checked(text: str, stem: str = "x"):
    return check_file(text.encode(), f"{stem}.toml", stem, default_vocabulary())


def lebedev() -> dict:
    return checked(LEBEDEV.read_text("utf-8"), "lebedev-arkadij").case


# --- redact -----------------------------------------------------------------------------


def test_redact_leaves_out_the_private_table_contacts_and_fields() -> None:
    case = lebedev()
    public = redact(case, default_vocabulary())
    assert "private" not in public
    assert "born" not in public
    assert [c["name"] for c in public["contacts"]] == ["Dana Seitkali"]
    for key in ("id", "name", "name_original", "aliases", "status", "summary", "risk"):
        assert public[key] == case[key]
    assert public["events"] == case["events"]
    assert public["sources"] == case["sources"]
    assert public["charges"] == case["charges"]


def test_redact_does_not_change_its_argument() -> None:
    case = lebedev()
    before = copy.deepcopy(case)
    redact(case, default_vocabulary())
    assert case == before


def test_redact_drops_unknown_keys_unless_asked_to_keep_them() -> None:
    case = {
        "id": "a-b",
        "name": "A",
        "status": "at_risk",
        "phone_number": "+7 701 555 01 99",
        "events": [{"date": "2024", "type": "fled", "home_address": "ul. Abaya 1"}],
    }
    public = redact(case)
    assert "phone_number" not in public
    assert public["events"] == [{"date": "2024", "type": "fled"}]
    kept = redact(case, keep_unknown=True)
    assert kept["phone_number"] == "+7 701 555 01 99"


def test_default_private_fields_apply_to_every_entry_of_a_table() -> None:
    case = {
        "id": "a-b",
        "phone": "1",
        "contacts": [{"name": "A", "phone": "2", "email": "a@b.cd"}, {"name": "B"}],
    }
    public = redact(case, keep_unknown=True)
    assert "phone" not in public
    assert public["contacts"] == [{"name": "A"}, {"name": "B"}]
    assert "contacts.phone" in DEFAULT_PRIVATE_FIELDS


def test_fields_made_private_by_the_caller_the_vocabulary_and_the_case() -> None:
    case = lebedev()
    case["private_fields"] = ["risk", "events.place"]
    vocabulary = SimpleNamespace(private_fields=["summary"], entries={})
    public = redact(case, vocabulary, extra_private_fields=["charges.note"])
    for key in ("risk", "summary", "private_fields", "born"):
        assert key not in public
    assert all("place" not in event for event in public["events"])
    assert all("note" not in charge for charge in public["charges"])
    assert public["name"] == case["name"]


def test_a_vocabulary_fields_entry_is_read_too() -> None:
    vocabulary = SimpleNamespace(entries={"fields": {"private": ["aliases"]}})
    assert "aliases" in private_fields(vocabulary)
    assert "aliases" not in redact(lebedev(), vocabulary)


def test_any_entry_marked_private_is_dropped_with_its_citations() -> None:
    case = {
        "id": "a-b",
        "events": [
            {"date": "2024", "type": "fled", "sources": ["pub", "secret"]},
            {"date": "2025", "type": "arrival", "private": True},
        ],
        "sources": [{"id": "pub"}, {"id": "secret", "private": True}],
        "contacts": [{"name": "X", "private": "yes"}, {"name": "Y", "private": False}],
    }
    public = redact(case, keep_unknown=True)
    assert public["events"] == [{"date": "2024", "type": "fled", "sources": ["pub"]}]
    assert public["sources"] == [{"id": "pub"}]
    assert public["contacts"] == [{"name": "Y", "private": False}]


def test_redact_survives_odd_shapes() -> None:
    odd = {"id": "x", "contacts": "nobody", "events": [1, "two", None], "private": "str"}
    public = redact(odd, keep_unknown=True)
    assert "private" not in public


# --- W105 -------------------------------------------------------------------------------

PERSONAL = [
    ("call +7 701 555 01 99 after six", PHONE),
    ("тел. 8 (701) 555-01-99", PHONE),
    ("+49 30 1234567", PHONE),
    ("IIN 900101300123", NUMBER),
    ("passport 45 09 123456", NUMBER),
    ("write to z.sister.family@example.org", EMAIL),
    ("ivan [at] mail [dot] ru", EMAIL),
    ("живёт: ул. Абая, 12", ADDRESS),
    ("улица Сатпаева 5", ADDRESS),
    ("пр-т Назарбаева 5", ADDRESS),
    ("проспект Абая", ADDRESS),
    ("мкр. Самал-2", ADDRESS),
    ("д. 12, кв. 34", ADDRESS),
    ("Абай даңғылы 10", ADDRESS),
    ("Сәтбаев көшесі", ADDRESS),
    ("lives at 12 Abay Street", ADDRESS),
    ("12 Abay St. near the market", ADDRESS),
    ("Satpayev Avenue 15", ADDRESS),
    ("apt 5", ADDRESS),
    ("Flat 12, third floor", ADDRESS),
]

NOT_PERSONAL = [
    "Former volunteer at the St Petersburg campaign office",
    "St. Petersburg court",
    "crossing the street in the wrong place",
    "searched her flat for evidence",
    "art. 392 of the Kazakh Criminal Code",
    "pay 34,000 tenge to the fund",
    "between 2022 and 2023 (003)",
    "on 2023-05-25 and 2024-01-01",
    "Seed article 003 (shared/seeds/003_d421bdeb48b245f2.txt)",
    "задержан на улице",
    "up to 15 years' imprisonment",
    "https://example.org/court-records/refugee-status-ruling",
]


@pytest.mark.parametrize(("text", "kind"), PERSONAL)
def test_personal_data_is_recognised(text: str, kind: str) -> None:
    assert kind in [found for found, _ in personal_data_kinds(text)]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_ordinary_text_is_not_personal_data(text: str) -> None:
    assert personal_data_kinds(text) == []


def test_no_finding_on_the_bundled_cases_and_valid_fixtures() -> None:
    files = sorted((PROJECT / "data" / "cases").glob("*.toml"))
    files += sorted((FIXTURES / "valid").glob("*.toml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text("utf-8")
        case = checked(text, path.stem).case
        assert case is not None, path
        assert personal_data_findings(case, path.name, KeyPositions(text).locate) == []


def test_no_finding_on_the_loaded_bundled_cases() -> None:
    cases = load(PROJECT, load_vocabulary(PROJECT)).cases
    assert len(cases) == len(list((PROJECT / "data" / "cases").glob("*.toml")))
    assert not [f for c in cases for f in personal_data_findings(c, c["id"], lambda p: (1, 1))]


def _expected(name: str, code: str) -> set[tuple[int, int]]:
    rows = (line.split() for line in (BROKEN / "EXPECTED.txt").read_text().splitlines())
    return {(int(r[1]), int(r[2])) for r in rows if len(r) == 4 and r[0] == name and r[3] == code}


def test_the_email_fixture_gives_its_expected_finding() -> None:
    path = BROKEN / "personal-data-email.toml"
    text = path.read_text("utf-8")
    case = checked(text, path.stem).case
    found = personal_data_findings(case, "personal-data-email.toml", KeyPositions(text).locate)
    assert {(f.line, f.col) for f in found} == _expected(path.name, "W105")
    (item,) = found
    assert item.code == "W105" and item.severity == "warning" and item.code in CODES
    assert "e-mail" in item.message and "[private]" in item.message
    assert "example.org" not in item.message  # the data itself never reaches a log


def test_findings_point_at_the_entry_and_skip_private_contacts() -> None:
    text = """id = "a-b"
name = "A B"
status = "at_risk"
origin_country = "RU"
host_country = "KZ"

[[events]]
date = "2024"
type = "fled"

[[events]]
date = "2025"
type = "arrival"
place = "ул. Абая, д. 12"

[[contacts]]
name = "Sister"
private = true
note = "+7 701 555 01 99"

[[contacts]]
name = "Lawyer"
note = "office: lawyer@example.org"
"""
    case = checked(text, "a-b").case
    found = personal_data_findings(case, "a-b.toml", KeyPositions(text).locate)
    assert [(f.line, f.col) for f in found] == [(14, 1), (23, 1)]
    assert "[[events]] entry 2" in found[0].message and "street address" in found[0].message
    assert "[[contacts]] entry 2" in found[1].message


def test_a_field_the_case_marks_private_is_not_checked() -> None:
    case = {"id": "a-b", "summary": "+7 701 555 01 99", "private_fields": ["summary"]}
    assert personal_data_findings(case, "a.toml", lambda p: (1, 1)) == []


def test_the_line_inside_a_multiline_text_is_named() -> None:
    case = {"summary": "first line\nsecond\nmail me: a.b@example.org\n"}
    (item,) = personal_data_findings(case, "a.toml", lambda p: (7, 1))
    assert (item.line, item.col) == (7, 1)
    assert "line 3 of the text" in item.message


def test_findings_survive_odd_shapes() -> None:
    odd = {"summary": 5, "events": "x", "contacts": [None, {"note": ["x"]}]}
    assert personal_data_findings(odd, "a.toml", lambda p: (1, 1)) == []
