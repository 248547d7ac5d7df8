"""Where the index lives and when it is trusted: inside the git directory (or the user's
cache folder), mode 0600 in a 0700 folder, public text only; a corrupt, foreign, linked,
read-only or tampered index is never used, and never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from exilecases.ops.load import load, select
from exilecases.ops.query import Filters
from exilecases.store import index as index_module
from exilecases.store.files import load_vocabulary
from exilecases.store.index import SIDE_FILES, open_index
from exilecases.store.place import index_path, state_dir, user_state_dir

#: A valid case holding a unique secret in every private place of format 1.
SECRET_CASE = """\
id = "secretov-ivan"
name = "Ivan Secretov"
born = "1991-02-03"
origin_country = "RU"
host_country = "KZ"
categories = ["activist"]
status = "detained"
risk = "SECRET-RISK-risk-field-7741"
summary = "Detained in Almaty."
private_fields = ["risk"]

[[events]]
date = "2025-03-01"
type = "detention"
outcome = "detained"
place = "SECRET-PLACE-repository-private-5521"
sources = ["s1"]

[[events]]
date = "2025-06-01"
type = "departure"
private = true
note = "SECRET-EVENT-relocation-9083"

[[contacts]]
name = "SECRET-CONTACT-Svetlana-3310"
role = "relative"
private = true

[[sources]]
id = "s1"
outlet = "Example outlet"

[private]
phone = "SECRET-PHONE-+77010004412"
notes = "SECRET-NOTES-brother-flat-6620"
"""
SECRETS = [
    "1991-02-03",
    "SECRET-RISK",
    "SECRET-PLACE",
    "SECRET-EVENT",
    "SECRET-CONTACT",
    "SECRET-PHONE",
    "SECRET-NOTES",
]
#: A broken file (unknown event type in a private entry): the finding quotes a private value.
BROKEN_PRIVATE = """\
id = "brokov-petr"
name = "Petr Brokov"
origin_country = "RU"
host_country = "KZ"
status = "detained"

[[events]]
date = "2025-06-01"
type = "SECRET-TYPE-hidden-meeting-4471"
private = true
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def git_repo(bundled: Path) -> Path:
    """The bundled cases plus the secret case, committed in a git repository."""
    (bundled / "data" / "cases" / "secretov-ivan.toml").write_text(SECRET_CASE)
    (bundled / "data" / "vocabulary.toml").write_text('[fields]\nprivate = ["events.place"]\n')
    git(bundled, "init", "-q")
    git(bundled, "add", "-A")
    git(bundled, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "cases")
    settle(bundled)
    return bundled


def settle(root: Path) -> None:
    """Date every case file a minute back, out of the index's "racy" window (rows of files
    changed within the last two seconds are read again on every run)."""
    old = os.stat(root).st_mtime_ns - 60 * 10**9
    for path in (root / "data" / "cases").iterdir():
        os.utime(path, ns=(old, old))


def deported(root: Path) -> list[str]:
    selection = select(root, load_vocabulary(root), Filters(status=["deported"]))
    return [case["id"] for case in selection.cases]


def every_answer(root: Path, cli) -> list[str]:
    """What the public commands print (in-process; the index is used as they use it)."""
    outputs = []
    for args in (
        ["list", "--format", "json"],
        ["list", "--status", "deported", "--format", "json"],
        ["list", "--format", "csv"],
        ["search", "Secretov", "--format", "json"],
        ["stats", "--by", "status", "--format", "json"],
        ["validate"],
        ["export", "--public", "--format", "json"],
    ):
        result = cli(*args, "--root", root)
        outputs.append(f"{args} {result.exit_code}\n{result.stdout}")
    return outputs


def index_bytes(root: Path) -> bytes:
    path = index_path(root)
    return b"".join(
        Path(f"{path}{side}").read_bytes()
        for side in ("", *SIDE_FILES)
        if Path(f"{path}{side}").exists()
    )


def test_the_index_lives_in_the_git_directory_with_private_modes(git_repo: Path, cli) -> None:
    every_answer(git_repo, cli)
    path = index_path(git_repo)
    assert path == git_repo / ".git" / "exilecases" / str(os.getuid()) / "index.sqlite"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for side in SIDE_FILES:
        if Path(f"{path}{side}").exists():
            assert stat.S_IMODE(Path(f"{path}{side}").stat().st_mode) == 0o600
    assert git(git_repo, "status", "--porcelain", "--ignored", "--untracked-files=all") == ""
    assert not (git_repo / ".exilecases").exists()


def test_outside_git_the_index_lives_in_the_users_cache_folder(bundled: Path, cli) -> None:
    every_answer(bundled, cli)
    path = index_path(bundled)
    cache = Path(os.environ["XDG_CACHE_HOME"])
    assert path.is_file() and path.is_relative_to(cache / "exilecases")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert not (bundled / ".exilecases").exists()


def test_secure_delete_is_on_and_sqlites_own_files_are_private(git_repo: Path) -> None:
    vocabulary = load_vocabulary(git_repo)
    with open_index(git_repo, vocabulary) as index:
        assert index.path == index_path(git_repo)
        assert index.db.execute("PRAGMA secure_delete").fetchone()[0] == 1
        index.db.execute("BEGIN IMMEDIATE")
        index.db.execute("INSERT INTO meta VALUES ('test', 'x')")
        index.db.execute("COMMIT")
        sides = [Path(f"{index.path}{side}") for side in SIDE_FILES]
        assert any(side.exists() for side in sides)  # the WAL, while the index is open
        for side in sides:
            if side.exists():
                assert stat.S_IMODE(side.stat().st_mode) == 0o600, side


def test_a_crafted_side_file_is_not_used(git_repo: Path) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    wal = Path(f"{index_path(git_repo)}-wal")
    wal.unlink(missing_ok=True)
    wal.symlink_to("/dev/null")
    assert deported(git_repo) == RIGHT
    assert not wal.is_symlink()


def test_the_index_holds_no_private_value(git_repo: Path, cli) -> None:
    (git_repo / "data" / "cases" / "brokov-petr.toml").write_text(BROKEN_PRIVATE)
    settle(git_repo)
    outputs = every_answer(git_repo, cli)
    # The files do hold the secrets; every public output and the index hold none.
    assert "SECRET-PHONE" in (git_repo / "data/cases/secretov-ivan.toml").read_text()
    data = index_bytes(git_repo)
    assert b"Ivan Secretov" in data  # the case is in it, publicly
    for secret in [*SECRETS, "SECRET-TYPE"]:
        assert secret.encode() not in data, secret
        assert not any(secret in text for text in outputs if "validate" not in text), secret
    # validate still reports the finding that quotes a private value, read from the file.
    validate = next(text for text in outputs if text.startswith("['validate']"))
    assert "SECRET-TYPE-hidden-meeting-4471" in validate


def test_findings_kept_out_of_the_index_are_the_same_as_without_it(git_repo: Path, cli) -> None:
    (git_repo / "data" / "cases" / "brokov-petr.toml").write_text(BROKEN_PRIVATE)
    settle(git_repo)
    warm = [cli("validate", "--root", git_repo) for _ in range(2)][-1]
    skipped = cli("list", "--root", git_repo)
    os.environ["EXILECASES_NO_CACHE"] = "1"
    try:
        plain = cli("validate", "--root", git_repo)
        plain_skipped = cli("list", "--root", git_repo)
    finally:
        del os.environ["EXILECASES_NO_CACHE"]
    assert warm.exit_code == plain.exit_code == 1
    assert warm.stdout == plain.stdout and "SECRET-TYPE" in warm.stdout
    assert skipped.stderr == plain_skipped.stderr and "brokov-petr" in skipped.stderr


def poison(root: Path) -> None:
    """Stray values in this user's index: a deported person made a refugee, another made
    deported."""
    with sqlite3.connect(index_path(root)) as db:
        db.execute("UPDATE files SET status = 'refugee' WHERE file = 'zhilin-mikhail.toml'")
        db.execute("UPDATE files SET status = 'deported' WHERE file = 'murtazov.toml'")
    db.close()


RIGHT = ["kachkurkin-alexander", "zhilin-mikhail"]


def test_a_sound_index_is_used(git_repo: Path) -> None:
    """The control for the tests below: stray rows in a trusted index do show (the index is
    a cache of files we own), so when they do not show below, the index was not used."""
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    assert deported(git_repo) == ["kachkurkin-alexander", "murtazov"]


@pytest.mark.parametrize(
    "damage", [b"", b"garbage bytes, not a database" * 40, b"SQLite format 3\x00" + b"\x07" * 200]
)
def test_a_corrupt_index_is_rebuilt(git_repo: Path, cli, damage: bytes) -> None:
    before = every_answer(git_repo, cli)
    path = index_path(git_repo)
    for side in SIDE_FILES:
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(damage)
    assert every_answer(git_repo, cli) == before
    with sqlite3.connect(path) as db:  # a sound index again
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 15
    db.close()


def test_an_index_with_a_trigger_or_a_view_is_rebuilt(git_repo: Path) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    with sqlite3.connect(index_path(git_repo)) as db:
        db.execute(
            "CREATE TRIGGER leak AFTER INSERT ON documents BEGIN UPDATE documents SET "
            "case_json = json_set(case_json, '$.summary', 'leaked') WHERE file = NEW.file; END"
        )
    db.close()
    assert deported(git_repo) == RIGHT
    with sqlite3.connect(index_path(git_repo)) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
    db.close()


def _other_owner(monkeypatch, target: Path) -> None:
    """Make ``target`` look owned by another user (``os.lstat`` as the index sees it)."""
    real = os.lstat

    def lstat(path, *args, **kwargs):
        info = real(path, *args, **kwargs)
        if Path(path) == target:
            fields = list(info[:10])
            fields[4] = info.st_uid + 1  # st_uid
            return os.stat_result(fields)
        return info

    monkeypatch.setattr(index_module, "_lstat", lstat)


def test_an_index_owned_by_another_user_is_not_used(git_repo: Path, cli, monkeypatch) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    _other_owner(monkeypatch, index_path(git_repo))
    assert deported(git_repo) == RIGHT
    result = cli("list", "--status", "deported", "--format", "json", "--root", git_repo)
    assert result.exit_code == 0 and [c["id"] for c in json.loads(result.stdout)] == RIGHT


def test_an_index_folder_owned_by_another_user_is_not_used(git_repo: Path, monkeypatch) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    _other_owner(monkeypatch, user_state_dir(git_repo))
    with open_index(git_repo, load_vocabulary(git_repo)) as index:
        assert index.path is None  # in memory for this run
    assert deported(git_repo) == RIGHT


def test_another_users_number_gives_another_folder(git_repo: Path, monkeypatch) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: uid + 1)
    # That user's folder is made by this process, so its owner differs: not trusted.
    assert deported(git_repo) == RIGHT
    assert index_path(git_repo).parent.name == str(uid + 1)


def test_a_symlinked_index_is_replaced_and_its_target_untouched(
    git_repo: Path, tmp_path: Path
) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    path = index_path(git_repo)
    elsewhere = tmp_path / "elsewhere.sqlite"
    path.rename(elsewhere)
    for side in SIDE_FILES:
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    assert deported(git_repo) == RIGHT
    assert not path.is_symlink() and path.is_file()
    assert elsewhere.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("elsewhere")) == [
        "elsewhere.sqlite"
    ]


def test_a_symlinked_index_folder_is_not_used(git_repo: Path, tmp_path: Path) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    folder = user_state_dir(git_repo)
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    assert deported(git_repo) == RIGHT
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before


def test_a_read_only_index_is_rebuilt(git_repo: Path, cli) -> None:
    before = every_answer(git_repo, cli)
    poison(git_repo)
    path = index_path(git_repo)
    path.chmod(0o400)
    assert every_answer(git_repo, cli) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_loose_mode_is_tightened(git_repo: Path) -> None:
    assert deported(git_repo) == RIGHT
    path = index_path(git_repo)
    path.chmod(0o644)
    path.parent.chmod(0o755)
    assert deported(git_repo) == RIGHT
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_world_writable_state_folder_is_not_used(git_repo: Path) -> None:
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    state_dir(git_repo).chmod(0o777)
    with open_index(git_repo, load_vocabulary(git_repo)) as index:
        assert index.path is None
    assert deported(git_repo) == RIGHT


def test_a_file_where_the_folder_should_be_still_answers(git_repo: Path, cli) -> None:
    before = every_answer(git_repo, cli)
    folder = user_state_dir(git_repo)
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()
    folder.write_text("not a folder")
    assert every_answer(git_repo, cli) == before


def test_the_search_table_is_built_only_when_search_needs_it(git_repo: Path, cli) -> None:
    assert cli("validate", "--root", git_repo).exit_code == 0
    assert cli("list", "--root", git_repo).exit_code == 0
    with sqlite3.connect(index_path(git_repo)) as db:
        assert db.execute("SELECT count(*) FROM search").fetchone()[0] == 0
    db.close()
    first = cli("search", "Secretov", "--format", "json", "--root", git_repo)
    with sqlite3.connect(index_path(git_repo)) as db:
        assert db.execute("SELECT count(*) FROM search").fetchone()[0] == 15
    db.close()
    again = cli("search", "Secretov", "--format", "json", "--root", git_repo)
    assert first.stdout == again.stdout and json.loads(first.stdout)[0]["id"] == "secretov-ivan"


def test_private_loads_read_the_files_not_the_index(git_repo: Path) -> None:
    vocabulary = load_vocabulary(git_repo)
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    whole = select(git_repo, vocabulary, Filters(status=["deported"]), private=True)
    assert [c["id"] for c in whole.cases] == RIGHT
    result = load(git_repo, vocabulary, private=True)
    secret = next(c for c in result.cases if c["id"] == "secretov-ivan")
    assert secret["private"]["phone"].startswith("SECRET-PHONE")
    public = next(c for c in load(git_repo, vocabulary).cases if c["id"] == "secretov-ivan")
    assert "private" not in public and "risk" not in public


def test_validate_notes_an_old_index_folder_without_reading_it(git_repo: Path, cli) -> None:
    old = git_repo / ".exilecases"
    old.mkdir()
    os.mkfifo(old / "index.sqlite")  # opening it would hang: it must not be opened
    result = cli("validate", "--root", git_repo)
    assert result.exit_code == 0
    assert "an old index folder .exilecases/ can be deleted" in result.stderr
    assert "can be deleted" not in cli("validate", "--root", git_repo / "data" / "..").stdout
    (old / "index.sqlite").unlink()
    old.rmdir()
    assert "can be deleted" not in cli("validate", "--root", git_repo).stderr


def test_the_repository_object_reads_private_data_from_the_files(git_repo: Path) -> None:
    from exilecases.repository import Repository

    repository = Repository(git_repo)
    assert deported(git_repo) == RIGHT
    poison(git_repo)
    whole = {c["id"]: c for c in repository.cases(private=True)}
    assert whole["secretov-ivan"]["private"]["notes"].startswith("SECRET-NOTES")
    assert whole["zhilin-mikhail"]["status"] == "deported"  # the file, not the index's row
    public = {c["id"]: c for c in repository.cases()}
    assert "private" not in public["secretov-ivan"]
