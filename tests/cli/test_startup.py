"""Start-up stays light: the heavy libraries load only in the commands that need them.

This checks which modules are imported (python -X importtime), not how long anything takes:
timings live in bench/.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import PROJECT

HEAVY = {
    "rich",
    "pydantic",
    "rapidfuzz",
    "iuliia",
    "multiprocessing",
    "sqlite_utils",
    "pycountry",
}


def imported(*args: str) -> set[str]:
    env = {**os.environ, "EXILECASES_ROOT": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exilecases", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list", "--status", "deported", "--format", "json"],
        # Options checked when parsed: the vocabulary and the country codes, nothing heavy.
        ["list", "--origin", "ru", "--host", "KZ", "--category", "deserter", "--format", "json"],
        ["list", "--format", "csv"],
        ["stats", "--by", "basis", "--format", "json"],
        ["due", "--all", "--format", "json"],
        ["due", "--all", "--format", "csv"],
    ],
)
def test_quick_commands_do_not_import_heavy_libraries(args: list[str]) -> None:
    imported(*args)  # the first run may build the index cache: that one reads files
    assert not (imported(*args) & HEAVY)


def test_table_output_imports_rich_and_validation_imports_pydantic() -> None:
    assert "rich" in imported("list")
    assert "pydantic" in imported("validate", str(PROJECT / "data" / "cases" / "murtazov.toml"))
