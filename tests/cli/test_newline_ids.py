"""An id ending in a newline, through the command line.

A ``$`` in a Python regular expression also matches before a trailing newline, so
``add --id $'nl-case\\n'`` once created ``nl-case\\n.toml`` and ``validate`` passed it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import make_repo

NL_ID = "nl-case\n"


def test_add_refuses_an_id_ending_in_a_newline(bundled: Path, cli) -> None:
    before = sorted((bundled / "data" / "cases").iterdir())
    result = cli(
        "add", "--root", bundled, "--id", NL_ID, "--name", "Nl Case",
        "--status", "detained", "--origin", "RU", "--host", "KZ",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'nl-case\\n' is not a case id" in result.stderr
    assert sorted((bundled / "data" / "cases").iterdir()) == before


@pytest.mark.parametrize(
    "command",
    [
        ["show", NL_ID],
        ["set", NL_ID, "status", "released"],
        ["event", "add", NL_ID, "--date", "2024", "--type", "detention"],
    ],
    ids=["show", "set", "event-add"],
)
def test_commands_refuse_an_id_ending_in_a_newline(bundled: Path, cli, command) -> None:
    result = cli(*command, "--root", bundled)
    assert result.exit_code == 2, result.output
    assert "is not a case id" in result.stderr


@pytest.mark.parametrize("inner_id", [NL_ID, "nl-case"])
def test_a_file_named_with_a_newline_is_a_finding(tmp_path: Path, cli, inner_id: str) -> None:
    root = make_repo(tmp_path / "repo")
    text = (
        f'id = {json.dumps(inner_id)}\nname = "Nl Case"\norigin_country = "RU"\n'
        'host_country = "KZ"\nstatus = "detained"\n'
    )
    (root / "data" / "cases" / f"{NL_ID}.toml").write_text(text, encoding="utf-8")
    result = cli("validate", "--root", root)
    assert result.exit_code == 1, result.output
    code = "E041" if inner_id == NL_ID else "E040"
    assert f"error {code}:" in result.stdout
    assert "'nl-case\\n'" in result.stdout
