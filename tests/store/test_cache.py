"""The index is never wrong: every change on disk gives the same answers as a run without
it. (Where it lives and what it may hold: tests/store/test_index_place.py.)"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from exilecases.ops.load import load, select
from exilecases.ops.query import Filters
from exilecases.ops.validate import cross_file
from exilecases.store.files import load_vocabulary
from exilecases.store.index import SIDE_FILES, open_index
from exilecases.store.place import index_path, state_dir

FILTERS = [
    Filters(),
    Filters(status=["deported"]),
    Filters(outcome=["returned"], basis=["RU-CC-338"]),
    Filters(category=["activist", "journalist"]),
    Filters(origin=["ru"], host=["KZ"], since="2026"),
    Filters(until="2022-12"),
    Filters(since="2024-04-15", until="2024-05"),
    Filters(outcome=["protected"], status=["deported"]),
    Filters(as_of="2025-12-31", status=["detained"]),
]


def answers(root: Path, use_cache: bool) -> list[list[str]]:
    vocabulary = load_vocabulary(root)
    return [
        [c["id"] for c in select(root, vocabulary, f, use_cache=use_cache).cases] for f in FILTERS
    ]


def findings(root: Path, use_cache: bool) -> list[str]:
    result = load(root, load_vocabulary(root), use_cache=use_cache)
    every = result.findings + cross_file(result.checks, result.name_keys)
    return sorted(f.format() for f in every)


def same_answers(root: Path) -> None:
    assert answers(root, True) == answers(root, False)
    assert findings(root, True) == findings(root, False)


def case_file(root: Path, name: str) -> Path:
    return root / "data" / "cases" / name


def test_cold_and_warm_agree_with_no_cache(bundled: Path) -> None:
    same_answers(bundled)  # cold: builds the index
    assert index_path(bundled).is_file()
    same_answers(bundled)  # warm


def test_nothing_is_written_into_the_work_tree(bundled: Path) -> None:
    before = sorted(p.relative_to(bundled) for p in bundled.rglob("*"))
    same_answers(bundled)
    assert sorted(p.relative_to(bundled) for p in bundled.rglob("*")) == before
    assert not index_path(bundled).is_relative_to(bundled)


def test_an_edit_is_seen(bundled: Path) -> None:
    same_answers(bundled)
    path = case_file(bundled, "murtazov.toml")
    path.write_text(path.read_text().replace('status = "asylum_denied"', 'status = "deported"'))
    assert "murtazov" in answers(bundled, True)[1]
    same_answers(bundled)


def test_an_edit_that_keeps_size_and_restores_an_older_mtime_is_seen(bundled: Path) -> None:
    same_answers(bundled)
    path = case_file(bundled, "zhilin-mikhail.toml")
    before = path.stat()
    text = path.read_text()
    # Same length ("deported", "detained"), then an older modification time, as `git
    # checkout` can leave.
    path.write_text(text.replace('status = "deported"', 'status = "detained"'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))
    assert path.stat().st_size == before.st_size
    assert "zhilin-mikhail" not in answers(bundled, True)[1]
    same_answers(bundled)


def test_a_deleted_file_disappears_and_a_new_file_appears(bundled: Path) -> None:
    same_answers(bundled)
    case_file(bundled, "kachkurkin-alexander.toml").unlink()
    text = case_file(bundled, "zhilin-mikhail.toml").read_text()
    case_file(bundled, "zhilin-twin.toml").write_text(
        text.replace('id = "zhilin-mikhail"', 'id = "zhilin-twin"')
    )
    deported = answers(bundled, True)[1]
    assert deported == ["zhilin-mikhail", "zhilin-twin"]
    same_answers(bundled)
    assert any("W104" in line for line in findings(bundled, True))


def test_a_file_that_breaks_is_skipped_and_reported(bundled: Path) -> None:
    same_answers(bundled)
    path = case_file(bundled, "kozak-denis.toml")
    path.write_text(path.read_text().replace('status = "released"', "status = 1"))
    vocabulary = load_vocabulary(bundled)
    selection = select(bundled, vocabulary, Filters(), use_cache=True)
    assert "kozak-denis" not in [c["id"] for c in selection.cases]
    assert [rel for rel, _ in selection.broken] == ["data/cases/kozak-denis.toml"]
    same_answers(bundled)


@pytest.mark.parametrize("damage", [b"", b"this is not a database" * 100, b"SQLite format 3\x00"])
def test_a_corrupt_cache_is_discarded(bundled: Path, damage: bytes) -> None:
    same_answers(bundled)
    cache = index_path(bundled)
    for extra in SIDE_FILES:
        Path(f"{cache}{extra}").unlink(missing_ok=True)
    cache.write_bytes(damage)
    same_answers(bundled)


def test_a_cache_from_another_version_is_rebuilt(bundled: Path) -> None:
    same_answers(bundled)
    with sqlite3.connect(index_path(bundled)) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'fingerprint'")
        db.execute("UPDATE files SET status = 'refugee'")  # poisoned rows must not be used
    same_answers(bundled)
    assert answers(bundled, True)[1] == ["kachkurkin-alexander", "zhilin-mikhail"]


def test_a_vocabulary_change_rebuilds(bundled: Path) -> None:
    same_answers(bundled)
    path = case_file(bundled, "murtazov.toml")
    path.write_text(path.read_text().replace('"asylum_denied"', '"stuck"'))
    assert any("E020" in line for line in findings(bundled, True))
    (bundled / "data" / "vocabulary.toml").write_text(
        '[statuses.stuck]\nlabel = "Stuck in transit"\noutcome = "pending"\n'
    )
    assert not any("E020" in line for line in findings(bundled, True))
    same_answers(bundled)


def test_an_unusable_index_folder_still_answers(bundled: Path) -> None:
    state = state_dir(bundled)
    state.mkdir(parents=True)
    index_path(bundled).parent.write_text("a file where the folder should be")
    same_answers(bundled)


def test_refresh_reads_only_what_changed(bundled: Path) -> None:
    vocabulary = load_vocabulary(bundled)
    same_answers(bundled)
    path = case_file(bundled, "ammosov-aikhal.toml")
    path.write_text(path.read_text() + "\n")
    old = path.stat().st_mtime_ns - 5 * 10**9
    for other in case_file(bundled, "x").parent.glob("*.toml"):
        os.utime(other, ns=(old, old))  # older than the racy window
    read: list[Path] = []

    def parse(paths):
        from exilecases.ops.load import check_paths, index_row

        read.extend(paths)
        return check_paths(
            bundled, paths, vocabulary, prepare=lambda check: index_row(check, vocabulary)
        )

    with open_index(bundled, vocabulary) as index:
        index.refresh(parse=parse)
        read.clear()
        index.refresh(parse=parse)  # nothing changed since
        assert read == []
        path.write_text(path.read_text() + "\n")
        os.utime(path, ns=(old + 1, old + 1))
        index.refresh(parse=parse)
        assert [p.name for p in read] == ["ammosov-aikhal.toml"]


@pytest.mark.parametrize(
    "args", [[], ["--status", "deported"], ["--outcome", "returned", "--basis", "RU-CC-338"]]
)
def test_list_json_from_the_cache_equals_reading_every_file(bundled, cli, monkeypatch, args):
    cached = cli("list", "--format", "json", *args, "--root", bundled)  # builds the cache
    cached = cli("list", "--format", "json", *args, "--root", bundled)  # answers from it
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    plain = cli("list", "--format", "json", *args, "--root", bundled)
    assert cached.exit_code == plain.exit_code == 0
    assert json.loads(cached.stdout) == json.loads(plain.stdout)
    assert json.loads(plain.stdout)  # not vacuous


STATS = [
    ["--by", "status"],
    ["--by", "outcome", "--by", "category"],
    ["--by", "basis", "--outcome", "returned"],
    ["--by", "year", "--event", "deportation"],
    ["--by", "year", "--by", "host", "--since", "2024"],
    ["--by", "origin", "--as-of", "2025-06"],
]


@pytest.mark.parametrize("args", STATS)
def test_stats_from_the_index_equal_counting_the_files(bundled, cli, monkeypatch, args):
    cli("stats", *args, "--format", "json", "--root", bundled)  # builds the cache
    cached = cli("stats", *args, "--format", "json", "--root", bundled)
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    plain = cli("stats", *args, "--format", "json", "--root", bundled)
    assert cached.exit_code == plain.exit_code == 0, cached.stderr
    assert json.loads(cached.stdout) == json.loads(plain.stdout)
    assert json.loads(plain.stdout)["total"] > 0


def test_validate_from_the_index_equals_reading_every_file(bundled, cli, monkeypatch):
    text = case_file(bundled, "zhilin-mikhail.toml").read_text()
    case_file(bundled, "zhilin-twin.toml").write_text(text.replace("zhilin-mikhail", "zhilin-twin"))
    path = case_file(bundled, "murtazov.toml")
    path.write_text(path.read_text().replace('"asylum_denied"', '"refused_entri"', 1))
    cli("validate", "--root", bundled)  # builds the cache
    cached = cli("validate", "--root", bundled)
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    plain = cli("validate", "--root", bundled)
    assert cached.exit_code == plain.exit_code == 1
    assert cached.stdout == plain.stdout
    assert " W104: " in plain.stdout and " E020: " in plain.stdout


@pytest.mark.parametrize("query", ["Коробов", "Kachkurin", "Priozersk"])
def test_search_from_the_index_equals_reading_every_file(bundled, cli, monkeypatch, query):
    cli("search", query, "--format", "json", "--root", bundled)  # builds the cache
    cached = cli("search", query, "--format", "json", "--root", bundled)
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    plain = cli("search", query, "--format", "json", "--root", bundled)
    assert cached.exit_code == plain.exit_code == 0
    assert json.loads(cached.stdout) == json.loads(plain.stdout) != []
