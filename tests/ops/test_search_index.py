"""The search index (the index's word table and postings): the same hits and scores as
ranking every case, kept right through edits, deletions and new files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from exilecases.store.place import index_path

QUERIES = [
    "Коробов",
    "Korobow",
    "Evgenij Korobov",
    "Yevgeny",
    "Kachkurin",
    "Priozersk",
    "Alkhastov",
    "court appeal",
    "activist",
    "lawyer",
    "2026",
    "zzzz-nothing",
    "Mansur Movlaev",
]


def hits(cli, root: Path, query: str, *options: str) -> list[dict]:
    result = cli("search", query, "--format", "json", "--min-score", "0", *options, "--root", root)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def plain_hits(cli, monkeypatch, root: Path, query: str) -> list[dict]:
    with monkeypatch.context() as patch:
        patch.setenv("EXILECASES_NO_CACHE", "1")
        return hits(cli, root, query)


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_gives_what_ranking_every_case_gives(bundled, cli, monkeypatch, query):
    cold = hits(cli, bundled, query)  # builds the word table
    warm = hits(cli, bundled, query)
    assert cold == warm == plain_hits(cli, monkeypatch, bundled, query)


def test_the_word_table_is_made_when_search_first_needs_it(bundled, cli) -> None:
    cli("list", "--root", bundled)
    with sqlite3.connect(index_path(bundled)) as db:
        assert db.execute("SELECT count(*) FROM words").fetchone() == (0,)
    hits(cli, bundled, "Korobov")
    with sqlite3.connect(index_path(bundled)) as db:
        assert db.execute("SELECT count(*) FROM words").fetchone()[0] > 100
        assert db.execute("SELECT count(*) FROM postings").fetchone()[0] > 100


def test_an_edit_a_deletion_and_a_new_file_are_searched_right(bundled, cli, monkeypatch):
    folder = bundled / "data" / "cases"
    assert hits(cli, bundled, "Korobov")  # the index and its word table built
    # An edit: Korobov's file now names a place no other case has.
    path = folder / "korobov-evgenij.toml"
    path.write_text(
        path.read_text().replace('name = "Evgenij Korobov"', 'name = "Evgenij Zarechny"')
    )
    # A deletion, and a new file.
    (folder / "kachkurkin-alexander.toml").unlink()
    text = (folder / "zhilin-mikhail.toml").read_text()
    (folder / "zhilin-twin.toml").write_text(
        text.replace('id = "zhilin-mikhail"', 'id = "zhilin-twin"').replace("Zhilin", "Shilinsky")
    )
    for query in ("Zarechny", "Korobov", "Kachkurkin", "Shilinsky", "Zhilin", "Коробов"):
        assert hits(cli, bundled, query) == plain_hits(cli, monkeypatch, bundled, query), query
    assert [hit["id"] for hit in hits(cli, bundled, "Zarechny")] == ["korobov-evgenij"]
    assert hits(cli, bundled, "Kachkurkin") == []
    assert [hit["id"] for hit in hits(cli, bundled, "Shilinsky")] == ["zhilin-twin"]


def test_a_deleted_case_leaves_no_word_behind(bundled, cli) -> None:
    folder = bundled / "data" / "cases"
    hits(cli, bundled, "Kachkurkin")
    (folder / "kachkurkin-alexander.toml").unlink()
    assert hits(cli, bundled, "Kachkurkin") == []
    with sqlite3.connect(index_path(bundled)) as db:
        assert db.execute("SELECT count(*) FROM words WHERE word = 'kachkurkin'").fetchone() == (0,)
        orphans = db.execute(
            "SELECT count(*) FROM words WHERE id NOT IN (SELECT word FROM postings)"
        ).fetchone()
        assert orphans == (0,)


def test_a_file_that_breaks_leaves_the_search(bundled, cli, monkeypatch) -> None:
    hits(cli, bundled, "Korobov")
    path = bundled / "data" / "cases" / "korobov-evgenij.toml"
    path.write_text(path.read_text().replace('status = "', 'status = 1 #"', 1))
    assert "korobov-evgenij" not in [hit["id"] for hit in hits(cli, bundled, "Korobov")]
    assert hits(cli, bundled, "Korobov") == plain_hits(cli, monkeypatch, bundled, "Korobov")


@pytest.mark.parametrize("query", ["Kor\u200bobov", "\u200dKorobov\u2060", "Коро\u200cбов"])
def test_zero_width_characters_do_not_split_a_word(bundled, cli, monkeypatch, query) -> None:
    found = hits(cli, bundled, query)
    assert found[0]["id"] == "korobov-evgenij"
    assert found == plain_hits(cli, monkeypatch, bundled, query)


def test_a_name_written_with_a_zero_width_character_is_found(bundled, cli, monkeypatch):
    path = bundled / "data" / "cases" / "korobov-evgenij.toml"
    path.write_text(
        path.read_text().replace('name = "Evgenij Korobov"', 'name = "Evgenij Ko\u200brobov"')
    )
    found = hits(cli, bundled, "Korobov")
    assert found[0]["id"] == "korobov-evgenij"
    assert found == plain_hits(cli, monkeypatch, bundled, "Korobov")
