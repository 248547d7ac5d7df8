"""A command that finds the index being written by another one (a cold build of a large
repository takes a while) waits a little, then works on an index in memory: its output is
the same, and the other command's file is left alone (never deleted under it)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from exilecases.store import index as index_module
from exilecases.store import place


def test_a_busy_index_is_left_alone_and_the_command_still_answers(
    bundled: Path, cli, monkeypatch
) -> None:
    expected = cli("list", "--root", bundled, "--format", "json")
    assert expected.exit_code == 0
    path = place.index_path(bundled)
    inode = path.stat().st_ino
    # Another process writing the index: it holds SQLite's write lock.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(index_module, "BUSY_SECONDS", 0.2)
        changed = next((bundled / "data" / "cases").glob("*.toml"))
        later = time.time() + 5
        os.utime(changed, (later, later))  # so this run must write a row
        result = cli("list", "--root", bundled, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected.stdout
        assert "Traceback" not in result.stderr
        assert path.stat().st_ino == inode, "the other command's index was deleted"
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Once free, the index is brought up to date as usual.
    assert cli("list", "--root", bundled, "--format", "json").stdout == expected.stdout
    assert path.stat().st_ino == inode
