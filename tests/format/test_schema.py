"""Tests of schema.py: the JSON Schema generated from the model, and taplo checking with it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, PROJECT, find_taplo
from exilecases.format.model import KEY_ORDER
from exilecases.format.schema import SCHEMA_ID, case_json_schema, schema_text, taplo_config
from exilecases.format.vocabulary import default_vocabulary

TAPLO = find_taplo()
VALID_CASES = sorted((PROJECT / "data" / "cases").glob("*.toml")) + sorted(
    (FIXTURES / "valid").glob("*.toml")
)


@pytest.fixture(scope="module")
def schema() -> dict:
    return case_json_schema(default_vocabulary())


def _walk(value):
    yield value
    if isinstance(value, dict):
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def test_schema_header(schema) -> None:
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "exilecases case file"
    assert schema["type"] == "object"
    assert sorted(schema["required"]) == sorted(
        ["id", "name", "status", "origin_country", "host_country"]
    )


def test_every_field_of_the_model_is_described(schema) -> None:
    assert list(schema["properties"]) == KEY_ORDER["case"]
    for table, definition in (
        ("charges", "Charge"),
        ("events", "Event"),
        ("sources", "Source"),
        ("contacts", "Contact"),
    ):
        assert list(schema["$defs"][definition]["properties"]) == KEY_ORDER[table]
        assert schema["properties"][table]["items"] == {"$ref": f"#/$defs/{definition}"}


def test_vocabularies_are_enums_with_labels(schema) -> None:
    vocabulary = default_vocabulary()
    props = schema["properties"]
    event = schema["$defs"]["Event"]["properties"]
    assert props["status"]["enum"] == vocabulary.keys("statuses")
    assert props["categories"]["items"]["enum"] == vocabulary.keys("categories")
    assert event["type"]["enum"] == vocabulary.keys("event_types")
    assert event["outcome"]["enum"] == vocabulary.keys("statuses")
    basis = schema["$defs"]["Charge"]["properties"]["basis"]
    assert basis["enum"] == vocabulary.keys("legal_bases")
    assert "Desertion" in basis["x-taplo"]["docs"]["enumValues"][basis["enum"].index("RU-CC-338")]
    assert "deported: Deported" in props["status"]["description"]


def test_repository_vocabulary_extends_the_enums() -> None:
    vocabulary = default_vocabulary()
    vocabulary.merge({"statuses": {"hiding": {"label": "Hiding", "outcome": "pending"}}}, "x")
    assert "hiding" in case_json_schema(vocabulary)["properties"]["status"]["enum"]


def test_unknown_keys_are_allowed_and_toml_has_no_null(schema) -> None:
    assert schema["additionalProperties"] is True
    for name in ("Charge", "Proceeding", "Event", "Deadline", "Source", "Contact", "Private"):
        assert schema["$defs"][name]["additionalProperties"] is True
    private = schema["$defs"]["Private"]
    assert private["type"] == "object" and private["additionalProperties"] is True
    assert schema["properties"]["private"]["$ref"] == "#/$defs/Private"
    for table in ("contacts", "events", "sources", "proceedings", "deadlines"):
        assert private["properties"][table]["type"] == "array"
    assert "deported" in private["properties"]["status"]["enum"]
    for node in _walk(schema):
        if isinstance(node, dict):
            assert node.get("type") != "null"
            assert "default" not in node or node["default"] is not None


def test_dates_have_the_edtf_pattern(schema) -> None:
    one = r"\d{4}(-\d{2}(-\d{2})?)?[?~%]?"
    pattern = f"^{one}(/{one})?$"
    assert schema["properties"]["born"]["pattern"] == pattern
    assert schema["$defs"]["Event"]["properties"]["date"]["pattern"] == pattern
    assert schema["$defs"]["Charge"]["properties"]["date"]["pattern"] == pattern
    assert schema["$defs"]["Source"]["properties"]["published"]["pattern"] == pattern
    assert schema["$defs"]["Deadline"]["properties"]["due"]["pattern"] == pattern
    assert re.match(pattern, "2022/2023?") and not re.match(pattern, "2022/")


def test_format_2_tables_have_their_vocabularies(schema) -> None:
    proceeding = schema["$defs"]["Proceeding"]["properties"]
    deadline = schema["$defs"]["Deadline"]["properties"]
    assert "un_communication" in proceeding["type"]["enum"]
    assert "leave_country" in deadline["type"]["enum"]
    assert deadline["state"]["enum"] == ["open", "met", "missed", "moot"]
    assert "proceeding" in schema["$defs"]["Event"]["properties"]
    assert schema["properties"]["deadlines"]["items"]["$ref"] == "#/$defs/Deadline"


def test_schema_text_is_json(schema) -> None:
    assert json.loads(schema_text(default_vocabulary())) == schema


def test_taplo_config_text() -> None:
    import tomllib

    config = tomllib.loads(taplo_config("schema/case.schema.json"))
    (rule,) = config["rule"]
    assert "data/cases/*.toml" in rule["include"]
    assert rule["schema"] == {"enabled": True, "path": "schema/case.schema.json"}
    remote = tomllib.loads(taplo_config("https://example.org/case.json"))
    assert remote["rule"][0]["schema"]["url"] == "https://example.org/case.json"


# --- the real taplo ---------------------------------------------------------------------


def _offline_prefix() -> list[str]:
    """``unshare -rn`` (no network at all) where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    return [unshare, "-rn"] if probe.returncode == 0 else []


@pytest.fixture(scope="module")
def taplo_repo(tmp_path_factory) -> Path:
    if TAPLO is None:
        pytest.skip("taplo is not installed")
    root = tmp_path_factory.mktemp("taplo")
    cases = root / "data" / "cases"
    cases.mkdir(parents=True)
    for path in VALID_CASES:
        shutil.copyfile(path, cases / path.name)
    (root / "schema").mkdir()
    (root / "schema" / "case.schema.json").write_text(schema_text(default_vocabulary()))
    (root / ".taplo.toml").write_text(taplo_config("schema/case.schema.json"))
    return root


def _taplo_check(root: Path, *files: str) -> subprocess.CompletedProcess:
    assert TAPLO is not None
    return subprocess.run(
        [*_offline_prefix(), TAPLO, "check", "--colors", "never", *files],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_taplo_accepts_every_bundled_and_valid_case(taplo_repo) -> None:
    result = _taplo_check(taplo_repo, "data/cases/*.toml")
    assert result.returncode == 0, result.stderr
    if "total=" in result.stderr:  # taplo logs how many files it checked
        assert f"total={len(VALID_CASES)}" in result.stderr


BAD_CASES = {
    "unknown-status": ('status = "deported"', 'status = "deportd"', "is not one of"),
    "aliases-not-list": ('name = "Roman Zhukov"', 'name = "Roman Zhukov"\naliases = "x"', "array"),
    "bad-date": ('date = "2024-12-18"', 'date = "2024/12/18"', "does not match"),
    "bad-category": ('["draft_evader"]', '["draft-evader"]', "is not one of"),
    "missing-name": ('name = "Roman Zhukov"\n', "", "required"),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_taplo_rejects_a_broken_case(taplo_repo, name) -> None:
    old, new, message = BAD_CASES[name]
    text = (FIXTURES / "valid" / "zhukov-roman.toml").read_text("utf-8")
    assert old in text
    path = taplo_repo / "data" / "cases" / f"bad-{name}.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    try:
        result = _taplo_check(taplo_repo, f"data/cases/{path.name}")
    finally:
        path.unlink()
    assert result.returncode != 0
    assert message in result.stderr + result.stdout


def test_taplo_accepts_an_unknown_key(taplo_repo) -> None:
    path = taplo_repo / "data" / "cases" / "extra-key.toml"
    text = (FIXTURES / "valid" / "gusev-maksim.toml").read_text("utf-8")
    path.write_text(text + 'favourite_colour = "green"\n', "utf-8")
    try:
        result = _taplo_check(taplo_repo, f"data/cases/{path.name}")
    finally:
        path.unlink()
    assert result.returncode == 0, result.stderr
