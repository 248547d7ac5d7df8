"""The bundled cases (data/cases), as a reviewer checks them: valid, canonical, sourced, and
right on the facts that issue 11 corrected."""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict

import pytest

from conftest import BUNDLED_CASES, PROJECT

CASE_FILES = sorted(BUNDLED_CASES.glob("*.toml"))


def _case(name: str) -> dict:
    return tomllib.loads((BUNDLED_CASES / f"{name}.toml").read_text("utf-8"))


def _shown(cli, bundled, case_id: str) -> dict:
    result = cli("show", case_id, "--format", "json", "--root", bundled)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _events(case: dict, kind: str) -> list[dict]:
    return [event for event in case.get("events", []) if event["type"] == kind]


def test_the_bundled_cases_validate_clean_and_are_canonical(cli, bundled) -> None:
    result = cli("validate", "--public-check", "--root", bundled)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"{len(CASE_FILES)} files checked: 0 errors, 0 warnings" in result.stderr
    assert cli("fmt", "--check", "--root", bundled).exit_code == 0


def test_every_event_and_charge_cites_a_source_of_its_file() -> None:
    for path in CASE_FILES:
        case = tomllib.loads(path.read_text("utf-8"))
        defined = {source["id"] for source in case.get("sources", [])}
        for table in ("events", "charges"):
            for entry in case.get(table, []):
                assert entry.get("sources"), f"{path.name}: a [[{table}]] entry cites nothing"
                assert set(entry["sources"]) <= defined, path.name


def test_the_same_source_has_the_same_record_in_every_file() -> None:
    seen: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in CASE_FILES:
        for source in tomllib.loads(path.read_text("utf-8")).get("sources", []):
            for key in ("confidence", "url", "published", "outlet"):
                seen[source["id"]][(key, str(source.get(key)))].add(path.name)
    for source_id, values in seen.items():
        for key in ("confidence", "url", "published", "outlet"):
            found = {value for (name, value) in values if name == key}
            assert len(found) == 1, f"{source_id}: {key} differs between files: {found}"


def test_no_file_points_at_a_path_a_clone_does_not_have() -> None:
    for path in [*CASE_FILES, PROJECT / "data" / "SOURCES.md"]:
        text = path.read_text("utf-8")
        for needle in ("../shared", "shared/", "seeds/", "_11805e15", ".txt"):
            assert needle not in text, f"{path.name} mentions {needle!r}"


def test_korobov_court_refusal_is_dated_2026(cli, bundled) -> None:
    case = _shown(cli, bundled, "korobov-evgenij")
    (ruling,) = _events(case, "court_ruling")
    assert (ruling["date"], ruling["outcome"]) == ("2026-02-05", "asylum_denied")
    (refusal,) = _events(case, "asylum_decision")
    assert refusal["date"] == "2025-09" and "Department" in refusal["authority"]
    assert case["name_original"] == "Евгений Коробов"
    assert {"Yevgeny Korobov", "Evgeny Korobov"} <= set(case["aliases"])
    assert _events(case, "wanted_listed") and len(_events(case, "residence_permit")) == 2
    sources = {source["id"]: source for source in case["sources"]}
    seed = sources[ruling["sources"][0]]
    assert seed["url"] == "https://it.fergana.ru/news/145462"
    assert (seed["confidence"], seed["language"]) == ("medium", "it")
    assert "Vot Tak" in seed["outlet"] and "Fergana" in seed["outlet"]
    dated = {sources[s]["published"] for s in ruling["sources"] if s != seed["id"]}
    assert dated == {"2026-02-05"}  # Radio Svoboda and Holod


def test_movlayev_has_one_extradition_decision_of_the_prosecutor_general(cli, bundled) -> None:
    case = _shown(cli, bundled, "movlayev-mansur")
    (decision,) = _events(case, "extradition_decision")
    assert decision["date"] == "2026-01-30"
    assert decision["authority"] == "Prosecutor General's Office of Kazakhstan"
    assert decision["outcome"] == "extradition_approved" == case["status"]
    assert "within 30 days of the decision entering into force" in decision["note"]
    assert _events(case, "expulsion_order") == []
    (refusal,) = _events(case, "asylum_decision")
    assert refusal["date"] == "2025-12" and refusal["outcome"] == "asylum_denied"
    (appeal,) = _events(case, "appeal")
    assert appeal["authority"] == "Supreme Court of Kazakhstan"


def test_bazhukov_was_handed_over_at_priozersk_at_the_end_of_2025(cli, bundled) -> None:
    case = _shown(cli, bundled, "bazhukov-semyon")
    handovers = _events(case, "handover")
    assert [(h["date"], h.get("place")) for h in handovers] == [
        ("2025", "Priozersk"),
        ("2026-02-02", None),
    ]
    assert all(h["outcome"] == "handed_over" for h in handovers)
    assert _events(case, "detention") == []
    assert _events(case, "wanted_listed")
    # Kasimov's move to Priozersk is recorded the same way.
    (kasimov,) = _events(_case("kasimov-kamil"), "handover")
    assert kasimov["place"] == "Priozersk"


def test_murtazov_is_not_recorded_as_sent_back(cli, bundled) -> None:
    case = _shown(cli, bundled, "murtazov")
    assert case["status"] == "asylum_denied"
    returned = cli("list", "--outcome", "returned", "--format", "json", "--root", bundled)
    assert "murtazov" not in [c["id"] for c in json.loads(returned.stdout)]
    (refused,) = _events(case, "entry_refused")
    assert "outcome" not in refused
    (claim,) = _events(case, "asylum_decision")
    assert claim["outcome"] == "asylum_denied" and "reportedly rejected" in claim["note"]


def test_kachkurkin_contact_is_not_called_his_counsel() -> None:
    (smirnov,) = _case("kachkurkin-alexander")["contacts"]
    assert smirnov["name"] == "Yevgeny Smirnov"
    assert "neither article says he is Kachkurkin's counsel" in smirnov["note"]


def test_baltatarova_inferred_basis_and_convention_are_said(cli, bundled) -> None:
    case = _shown(cli, bundled, "baltatarova-yevgeniya")
    bases = {charge["basis"]: charge for charge in case["charges"]}
    assert "inferred" in bases["RU-CC-207.3"]["note"]
    assert "release" in bases["CHISINAU-CONVENTION"]["note"]
    assert case["status"] == "left_country"


@pytest.mark.parametrize(
    ("case_id", "kind", "words"),
    [
        ("zhilin-mikhail", "conviction", "six and a half years"),
        ("sandzhiev-igor", "asylum_decision", "Refused refugee status"),
        ("yemelyanova-yulia", "detention", "stopover on her way from Tbilisi (Georgia)"),
        ("yemelyanova-yulia", "appeal", "Supreme Court"),
    ],
)
def test_the_events_the_issue_asked_for(cli, bundled, case_id, kind, words) -> None:
    events = _events(_shown(cli, bundled, case_id), kind)
    assert any(words in event["note"] for event in events), (case_id, kind)


def test_sandzhiev_applied_in_uralsk_and_owes_34000_tenge() -> None:
    case = _case("sandzhiev-igor")
    (application,) = _events(case, "asylum_application")
    assert application["place"] == "Uralsk"
    (charge,) = case["charges"]
    assert "34,000 tenge" in charge["note"]


def test_between_2022_and_2023_is_an_interval_with_its_note() -> None:
    for name in ("ammosov-aikhal", "narskaya-natalya", "kozak-denis"):
        for event in _case(name)["events"]:
            assert event["date"] == "2022/2023" and "between 2022 and 2023" in event["note"]
