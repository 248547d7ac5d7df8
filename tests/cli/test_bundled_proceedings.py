"""The bundled cases' proceedings and deadlines (format 2), each as its articles state it."""

from __future__ import annotations

import json
import tomllib

from conftest import BUNDLED_CASES


def _case(name: str) -> dict:
    return tomllib.loads((BUNDLED_CASES / f"{name}.toml").read_text("utf-8"))


def _proceedings(name: str) -> dict[str, dict]:
    return {p["id"]: p for p in _case(name).get("proceedings", [])}


def test_every_proceeding_and_deadline_is_sourced() -> None:
    for path in sorted(BUNDLED_CASES.glob("*.toml")):
        case = tomllib.loads(path.read_text("utf-8"))
        for entry in case.get("proceedings", []) + case.get("deadlines", []):
            assert entry.get("sources"), (path.name, entry)


def test_korobov_asylum_proceeding_carries_the_30_day_order() -> None:
    (asylum,) = _proceedings("korobov-evgenij").values()
    assert asylum["type"] == "asylum" and asylum["lawyer"] == "Artur Alkhastov"
    assert "within 30 days" in asylum["note"] and "leave-after-refusal-in-force" in asylum["note"]
    events = [e for e in _case("korobov-evgenij")["events"] if e.get("proceeding") == "asylum"]
    assert [e["type"] for e in events] == ["asylum_application", "asylum_decision", "court_ruling"]


def test_movlayev_extradition_asylum_and_un_complaint() -> None:
    proceedings = _proceedings("movlayev-mansur")
    assert {p["type"] for p in proceedings.values()} == {
        "asylum",
        "extradition",
        "un_communication",
    }
    assert (
        "within 30 days of the decision entering into force" in proceedings["extradition"]["note"]
    )
    granted = [
        e for e in _case("movlayev-mansur")["events"] if e["type"] == "interim_measures_granted"
    ]
    assert [(e["date"], e["proceeding"]) for e in granted] == [("2026-02-23", "hrc")]


def test_yemelyanova_extradition_appeal_and_sandzhiev_month_to_leave() -> None:
    yemelyanova = _case("yemelyanova-yulia")
    (appeal,) = [e for e in yemelyanova["events"] if e["type"] == "appeal"]
    assert appeal["proceeding"] == "extradition"
    (deadline,) = _case("sandzhiev-igor")["deadlines"]
    assert (deadline["due"], deadline["type"]) == ("2023-06-25?", "leave_country")
    assert deadline["proceeding"] == "border-case"


def test_due_on_the_bundled_cases(cli, bundled) -> None:
    result = cli("due", "--as-of", "2026-03-01", "--all", "--format", "json", "--root", bundled)
    listed = json.loads(result.stdout)
    assert [(i["case"], i["due"], i["state"], i["days_left"]) for i in listed] == [
        ("sandzhiev-igor", "2023-06-25?", "overdue", -980)
    ]
    breached = cli("list", "--breached", "--format", "json", "--root", bundled)
    assert json.loads(breached.stdout) == []  # Movlayev was not returned after the measures


def test_the_bundled_cases_validate(cli, bundled) -> None:
    result = cli("validate", "--root", bundled)
    assert result.exit_code == 0 and result.stdout == ""
