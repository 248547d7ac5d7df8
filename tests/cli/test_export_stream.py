"""A public SQLite or CSV export streams its cases from the index, one decoded at a time;
what it writes is the same as when every case is loaded first (the index switched off)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from exilecases.ops import load as loading


def tables(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: db.execute(f'SELECT * FROM "{name}" ORDER BY 1, 2').fetchall() for name in names
        }
    finally:
        db.close()


def export(cli, root: Path, monkeypatch, index: bool, *args: str):
    if index:
        monkeypatch.delenv("EXILECASES_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    result = cli("export", "--root", root, *args)
    monkeypatch.delenv("EXILECASES_NO_CACHE", raising=False)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.mark.parametrize(
    "filters", [(), ("--status", "deported"), ("--status", "released", "--host", "KZ")]
)
def test_the_streamed_sqlite_export_is_the_loaded_one(
    bundled: Path, cli, monkeypatch, tmp_path: Path, filters: tuple[str, ...]
) -> None:
    streamed, loaded = tmp_path / "streamed.db", tmp_path / "loaded.db"
    one = export(cli, bundled, monkeypatch, True, "--format", "sqlite", "-o", streamed, *filters)
    two = export(cli, bundled, monkeypatch, False, "--format", "sqlite", "-o", loaded, *filters)
    assert one.stderr.split(" to ")[0] == two.stderr.split(" to ")[0]  # "wrote N cases"
    assert tables(streamed) == tables(loaded)
    assert tables(streamed)["cases"], "the export holds cases"


def test_the_streamed_csv_export_is_the_loaded_one(bundled: Path, cli, monkeypatch) -> None:
    for args in (("--format", "csv"), ("--format", "csv", "--table", "events")):
        one = export(cli, bundled, monkeypatch, True, *args)
        two = export(cli, bundled, monkeypatch, False, *args)
        assert one.stdout == two.stdout and one.stdout.count("\n") > 2


def test_the_export_does_stream(bundled: Path, cli, monkeypatch, tmp_path: Path) -> None:
    """The index path is the one taken (else the tests above compare a path with itself),
    and it hands the exporter an iterator over the index, not a list."""
    seen = []
    original = loading.select_stream

    @contextmanager
    def spy(*args, **kwargs):
        with original(*args, **kwargs) as stream:
            seen.append(stream)
            yield stream

    monkeypatch.setattr(loading, "select_stream", spy)
    export(cli, bundled, monkeypatch, True, "--format", "sqlite", "-o", tmp_path / "out.db")
    assert len(seen) == 1 and seen[0] is not None
    assert seen[0].ids == sorted(seen[0].ids) and len(seen[0].ids) == 14
    assert not isinstance(seen[0].cases, list)
