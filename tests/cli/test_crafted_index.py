"""A cloned repository can carry any file, a crafted index among them: every command's
output in a clone carrying one is byte-identical to a clean clone's, nothing in the work
tree is read as an index, and nothing is written through a committed symbolic link."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT
from exilecases.store.place import index_path

NEW_CASE = """\
id = "novikov-oleg"
name = "Oleg Novikov"
origin_country = "RU"
host_country = "KZ"
categories = ["deserter"]
status = "detained"
summary = "Detained at the border."

[[events]]
date = "2025-04-02"
type = "detention"
outcome = "detained"
sources = ["s1"]

[[sources]]
id = "s1"
outlet = "Example outlet"

[private]
phone = "+7 701 555 0199 PLANTED-SECRET"
address = "Abay Street 12, flat 4 PLANTED-SECRET"
"""

#: The issue's trigger, and others: publish [private] in the summary, hide a person, turn a
#: status into refugee, give someone a charge they never had.
TRIGGERS = """
CREATE TRIGGER leak AFTER INSERT ON documents BEGIN
  UPDATE documents SET case_json = json_set(case_json, '$.summary',
    json_extract(case_json, '$.private')) WHERE file = NEW.file;
END;
CREATE TRIGGER hide AFTER INSERT ON files WHEN NEW.file = 'zhilin-mikhail.toml' BEGIN
  DELETE FROM files WHERE file = NEW.file;
END;
CREATE TRIGGER refugee AFTER INSERT ON files BEGIN
  UPDATE files SET status = 'refugee' WHERE file = NEW.file AND status = 'deported';
END;
"""

COMMANDS = [
    ["list"],
    ["list", "--format", "json"],
    ["list", "--format", "csv"],
    ["list", "--status", "deported", "--format", "json"],
    ["list", "--basis", "RU-CC-275", "--format", "json"],
    ["list", "--as-of", "2025-12-31", "--format", "json"],
    ["show", "zhilin-mikhail", "--format", "json"],
    ["search", "Zhilin", "--format", "json"],
    ["search", "Novikov"],
    ["stats", "--by", "status", "--format", "json"],
    ["stats", "--by", "basis"],
    ["validate"],
    ["validate", "--format", "json"],
    ["export", "--private", "--format", "json"],  # the full export (public is the default)
    ["export", "--public", "--format", "json"],
    ["export", "--public", "--format", "csv"],
    ["export", "--public", "--format", "csv", "--table", "events"],
    ["export", "--public", "--format", "sqlite", "-o", "{out}/public.sqlite"],
]
OLD_FOLDER_NOTE = "an old index folder .exilecases/ can be deleted"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def settle(root: Path) -> None:
    """Date every case file back, out of the index's two-second "racy" window."""
    old = os.stat(root).st_mtime_ns - 60 * 10**9
    for path in (root / "data" / "cases").iterdir():
        os.utime(path, ns=(old, old))


def crafted_index(source: Path, target: Path) -> None:
    """An index file as the first version kept it, made from a real one (so its fingerprint
    matches this version and vocabulary), with triggers and stray rows added."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as db, sqlite3.connect(target) as copy:
        db.backup(copy)
    with sqlite3.connect(target) as db:
        db.executescript(TRIGGERS)
        db.execute("DELETE FROM files WHERE file = 'kachkurkin-alexander.toml'")
        db.execute("UPDATE files SET status = 'refugee' WHERE status LIKE 'expulsion%'")
        db.execute("INSERT INTO tags VALUES ('kozak-denis.toml', 'basis', 'RU-CC-275')")
        db.execute("INSERT INTO meta VALUES ('planted', 'yes')")
    db.close()
    copy.close()


@pytest.fixture(scope="module")
def clones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An upstream repository, a partner's fork of it carrying crafted indexes (committed
    with ``git add -f``) and one carrying a committed symbolic link ``.exilecases``, and a
    clone of each: ``clean``, ``crafted``, ``linked``."""
    base = tmp_path_factory.mktemp("crafted")
    upstream = base / "upstream"
    shutil.copytree(PROJECT / "data", upstream / "data")
    git(upstream, "init", "-q")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "cases")

    # A real index of the upstream repository, to craft the planted ones from.
    from exilecases.ops.load import load
    from exilecases.store.files import load_vocabulary

    load(upstream, load_vocabulary(upstream))
    real = index_path(upstream)

    partner = base / "partner"
    git(base, "clone", "-q", str(upstream), str(partner))
    for place in (".exilecases", "data/.exilecases", "data/cases/.exilecases"):
        crafted_index(real, partner / place / "index.sqlite")
    (partner / ".exilecases" / ".gitignore").write_text("# no rule here\n")
    git(partner, "add", "-f", "-A")
    git(partner, "commit", "-qm", "an index, for speed")

    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    linker = base / "linker"
    git(base, "clone", "-q", str(upstream), str(linker))
    (linker / ".exilecases").symlink_to(elsewhere, target_is_directory=True)
    git(linker, "add", "-A")
    git(linker, "commit", "-qm", "keep the index elsewhere")

    found = {"elsewhere": elsewhere, "real": real}
    for name, source in (("clean", upstream), ("crafted", partner), ("linked", linker)):
        clone = base / name
        git(base, "clone", "-q", str(source), str(clone))
        # A case added after cloning: the triggers would copy its [private] into public text.
        (clone / "data" / "cases" / "novikov-oleg.toml").write_text(NEW_CASE)
        settle(clone)
        (base / f"out-{name}").mkdir()
        found[name] = clone
    return found


SETUP_NOTE = "run `exilecases init` here to set them up"


def run_all(cli, root: Path) -> list[tuple[list[str], int, str, str, bytes]]:
    """Every command twice (the first builds the index, the second answers from it)."""
    out = root.parent / f"out-{root.name}"
    results = []
    for _ in range(2):
        for command in COMMANDS:
            args = [a.replace("{out}", str(out)) for a in command]
            written = out / "public.sqlite"
            written.unlink(missing_ok=True)
            result = cli(*args, *(["--overwrite"] if "-o" in args else []), "--root", root)
            stderr = result.stderr.replace(str(out), "OUT").replace(str(root), "ROOT")
            # Notes said once per clone (the old folder, a clone without init's set-up).
            stderr = "".join(
                line
                for line in stderr.splitlines(True)
                if OLD_FOLDER_NOTE not in line and SETUP_NOTE not in line
            )
            data = written.read_bytes() if written.exists() else b""
            results.append((command, result.exit_code, result.stdout, stderr, data))
    return results


def planted_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if ".exilecases" in p.parts and p.is_file() and not p.is_symlink()
    }


def test_a_crafted_index_in_the_work_tree_changes_no_output(clones, cli) -> None:
    crafted = clones["crafted"]
    planted = planted_bytes(crafted)
    assert len(planted) == 4  # three indexes and the .gitignore without a rule
    clean = run_all(cli, clones["clean"])
    dirty = run_all(cli, crafted)
    for expected, got in zip(clean, dirty, strict=True):
        assert got == expected, expected[0]
    assert any(b"PLANTED-SECRET" in r[2].encode() for r in clean)  # the full export has it
    for command, _, stdout, stderr, data in dirty:
        if command[0] != "export" or "--public" in command:
            assert "PLANTED-SECRET" not in stdout + stderr, command
            assert b"PLANTED-SECRET" not in data, command
    # The planted files were never written to, nothing new is in git's view, and the
    # index in use is this user's, inside .git/.
    assert planted_bytes(crafted) == planted
    assert git(crafted, "status", "--porcelain", "--untracked-files=all") == (
        "?? data/cases/novikov-oleg.toml\n"
    )
    assert index_path(crafted).is_relative_to(crafted / ".git")


def test_validate_notes_the_old_folder_on_stderr_only(clones, cli) -> None:
    result = cli("validate", "--root", clones["crafted"])
    clean = cli("validate", "--root", clones["clean"])
    assert result.stdout == clean.stdout and result.exit_code == clean.exit_code == 0
    assert OLD_FOLDER_NOTE in result.stderr and OLD_FOLDER_NOTE not in clean.stderr
    assert "15 files checked" in result.stderr


def test_a_committed_symlink_is_neither_read_nor_written_through(clones, cli) -> None:
    linked, elsewhere = clones["linked"], clones["elsewhere"]
    assert (linked / ".exilecases").is_symlink()
    assert run_all(cli, linked) == run_all(cli, clones["clean"])
    assert list(elsewhere.iterdir()) == []
    assert index_path(linked).is_relative_to(linked / ".git")


def test_the_real_process_agrees(clones) -> None:
    """The console script, as a person runs it, in the crafted clone and the clean one."""
    exe = Path(sys.executable).with_name("exilecases")
    if not exe.exists():
        pytest.skip("no console script beside this Python")
    env = {k: v for k, v in os.environ.items() if k != "EXILECASES_NO_CACHE"}
    outputs = []
    for name in ("clean", "crafted"):
        argv = [str(exe), "export", "--public", "--format", "json", "--root", str(clones[name])]
        run = subprocess.run(argv, capture_output=True, env=env, timeout=120)
        outputs.append((run.returncode, run.stdout))
    assert outputs[0] == outputs[1] and outputs[0][0] == 0
    assert b"PLANTED-SECRET" not in outputs[1][1] and b"Oleg Novikov" in outputs[1][1]
