"""Publishing safely through the CLI: public exports leak nothing, SQL works on the SQLite
export, editors get a schema, and no write is ever half done."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, find_taplo

SECRETS = ["+7 701 555 01 23", "ул. Абая 10", "Ivan the Brother", "safe house in Almaty"]
PRIVATE_CASE = """id = "secret-case"
name = "Secret Case"
origin_country = "RU"
host_country = "KZ"
status = "detained"
born = "1990-04-01"

[[contacts]]
name = "Ivan the Brother"
role = "relative"
private = true

[[contacts]]
name = "Open Lawyer"
role = "lawyer"

[private]
phone = "+7 701 555 01 23"
address = "ул. Абая 10"
notes = "safe house in Almaty"
"""


@pytest.fixture
def secret_repo(repo) -> Path:
    root = repo(FIXTURES / "valid")
    (root / "data/cases/secret-case.toml").write_text(PRIVATE_CASE)
    return root


def assert_no_secret(data: bytes) -> None:
    for secret in SECRETS:
        assert secret.encode() not in data, secret
        assert secret.encode("utf-16-le") not in data, secret


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json"],
        ["--format", "csv"],
        ["--format", "csv", "--table", "contacts"],
        ["--format", "csv", "--table", "events"],
        ["--format", "csv", "--table", "sources"],
        ["--format", "csv", "--table", "charges"],
    ],
)
def test_public_exports_leak_no_private_byte(secret_repo: Path, cli, args) -> None:
    public = cli("export", *args, "--public", "--root", secret_repo)
    assert public.exit_code == 0, public.stderr
    assert_no_secret(public.stdout.encode())
    plain = cli("export", *args, "--root", secret_repo)  # public by default
    assert plain.stdout == public.stdout
    private = cli("export", *args, "--private", "--root", secret_repo)
    assert "--private" in private.stderr and "do not publish" in private.stderr
    if "contacts" in args or args == ["--format", "json"]:
        assert b"Ivan the Brother" in private.stdout.encode()  # the test can see a leak


def test_public_sqlite_leaks_no_private_byte(secret_repo: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "public.sqlite"
    result = cli("export", "--format", "sqlite", "-o", out, "--public", "--root", secret_repo)
    assert result.exit_code == 0, result.stderr
    assert_no_secret(out.read_bytes())
    with sqlite3.connect(out) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "private" not in tables
        names = [
            r[0]
            for r in db.execute("SELECT name FROM contacts WHERE case_id = ?", ("secret-case",))
        ]
        assert names == ["Open Lawyer"]
        (born,) = db.execute("SELECT born FROM cases WHERE id = 'secret-case'").fetchone()
        assert born is None  # born is private by default


def test_sqlite_export_answers_questions_in_sql(bundled: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "cases.sqlite"
    assert cli("export", "--format", "sqlite", "-o", out, "--root", bundled).exit_code == 0
    with sqlite3.connect(out) as db:
        db.execute("PRAGMA foreign_keys = ON")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = db.execute(
            "SELECT ch.basis, count(DISTINCT c.id) FROM cases c JOIN charges ch "
            "ON ch.case_id = c.id WHERE c.outcome = 'returned' GROUP BY ch.basis "
            "ORDER BY 2 DESC, 1"
        ).fetchall()
        labels = dict(db.execute("SELECT key, label FROM legal_bases"))
    assert rows[0] == ("RU-CC-338", 2)
    assert dict(rows) == {
        "RU-CC-338": 2,
        "KZ-AOC": 1,
        "KZ-CC-392": 1,
        "RU-CC-322": 1,
        "RU-CC-275": 1,
    }
    assert labels["RU-CC-338"] == "Desertion"


def test_export_filters_and_output_file_rules(bundled: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "deported.json"
    result = cli("export", "--status", "deported", "-o", out, "--root", bundled)
    assert result.exit_code == 0 and "wrote 2 cases" in result.stderr
    assert [c["id"] for c in json.loads(out.read_text())] == [
        "kachkurkin-alexander",
        "zhilin-mikhail",
    ]
    again = cli("export", "-o", out, "--root", bundled)
    assert again.exit_code == 1 and "--overwrite" in again.stderr
    into_cases = cli("export", "-o", bundled / "data/cases/x.toml", "--root", bundled)
    assert into_cases.exit_code == 2
    assert not (bundled / "data/cases/x.toml").exists()
    assert cli("export", "--format", "sqlite", "--root", bundled).exit_code == 2


def test_public_check_warns_about_personal_data(repo, cli) -> None:
    root = repo(FIXTURES / "broken" / "personal-data-email.toml", FIXTURES / "valid")
    plain = cli("validate", "--root", root)
    assert "W105" not in plain.stdout
    checked = cli("validate", "--public-check", "--root", root)
    assert checked.exit_code == 0
    (line,) = [x for x in checked.stdout.splitlines() if "W105" in x]
    assert line.startswith("data/cases/personal-data-email.toml:7:1: warning W105: ")
    assert "e-mail" in line


TAPLO = find_taplo()


@pytest.mark.skipif(TAPLO is None, reason="the taplo CLI is not installed")
def test_init_gives_editors_a_schema_that_taplo_applies(tmp_path: Path, cli) -> None:
    root = tmp_path / "repo"
    assert cli("init", root).exit_code == 0
    assert (root / ".taplo.toml").is_file() and (root / "schema/case.schema.json").is_file()
    bundled = Path(__file__).resolve().parents[2] / "data" / "cases"
    for path in bundled.glob("*.toml"):
        shutil.copyfile(path, root / "data/cases" / path.name)
    ok = subprocess.run([TAPLO, "check"], cwd=root, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    shutil.copyfile(
        FIXTURES / "broken" / "unknown-status.toml", root / "data/cases/unknown-status.toml"
    )
    bad = subprocess.run([TAPLO, "check"], cwd=root, capture_output=True, text=True, check=False)
    assert bad.returncode != 0
    assert "unknown-status.toml" in bad.stderr + bad.stdout


def test_schema_command_lists_the_repository_vocabulary(bundled: Path, cli) -> None:
    (bundled / "data/vocabulary.toml").write_text(
        '[statuses.hiding]\nlabel = "In hiding"\noutcome = "pending"\n'
    )
    schema = json.loads(cli("schema", "--root", bundled).stdout)
    assert "hiding" in json.dumps(schema)
    assert schema["properties"]["status"]


WRITER = """
import sys
from pathlib import Path
from exilecases.store.write import replace_file as atomic_write
target = Path(sys.argv[1])
versions = [("A" * 400_000) + "\\n", ("B" * 900_000) + "\\n"]
i = 0
while True:
    atomic_write(target, versions[i % 2])
    i += 1
"""


def test_a_killed_writer_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "case.toml"
    target.write_text("A" * 400_000 + "\n")
    for attempt in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
        time.sleep(0.15 + attempt * 0.04)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        content = target.read_text()
        assert content in ("A" * 400_000 + "\n", "B" * 900_000 + "\n"), len(content)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "case.toml"]
    from exilecases.store.place import is_temporary

    assert all(name.startswith(".case.toml.") and is_temporary(name) for name in leftovers)


def test_leftover_temporary_files_are_not_read_as_cases(bundled: Path, cli) -> None:
    (bundled / "data/cases/.murtazov.toml.abc123.tmp").write_text("half a fi")
    result = cli("validate", "--root", bundled)
    assert result.exit_code == 0
    assert "14 files checked" in result.stderr
