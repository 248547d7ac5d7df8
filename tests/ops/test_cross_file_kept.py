"""The cross-file findings (E042, W104) are kept in the index per state of the files: a warm
``validate`` with nothing changed reads them back instead of grouping every case again, and
any edit, deletion or new file makes them be computed anew, the same as without the index."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_duplicates_grouped import write  # one maker of look-alike case files

from exilecases import Repository
from exilecases.ops import validate


def settle(root: Path) -> None:
    """Date every case file an hour back: a file changed within the last two seconds is
    read again on every run (racy), which would hide whether anything was kept."""
    past = time.time() - 3600
    for path in (root / "data" / "cases").iterdir():
        os.utime(path, (past, past))


@pytest.fixture
def ivanovs(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root, "ivanov-ivan", "Ivan Ivanov")
    write(root, "ivanov-ivan-2", "Иван Иванов")
    write(root, "iwanow-iwan", "Iwan Iwanow")
    write(root, "petrov-petr", "Petr Petrov")
    settle(root)
    return root


def validate_output(cli, root: Path, monkeypatch, *, index: bool) -> str:
    if index:
        monkeypatch.delenv("EXILECASES_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    result = cli("validate", "--root", root)
    monkeypatch.delenv("EXILECASES_NO_CACHE", raising=False)
    return result.stdout


def test_a_warm_run_reads_the_kept_findings_back(ivanovs: Path, monkeypatch) -> None:
    repository = Repository(ivanovs)
    first = repository.check()
    assert sum(f.code == "W104" for f in first) == 3

    def regroup(*args, **kwargs):
        raise AssertionError("the cross-file findings were computed again")

    monkeypatch.setattr(validate, "cross_file", regroup)
    assert Repository(ivanovs).check() == first


def test_every_change_computes_them_anew_as_without_the_index(
    ivanovs: Path, cli, monkeypatch
) -> None:
    def same_both_ways() -> str:
        warm = validate_output(cli, ivanovs, monkeypatch, index=True)
        again = validate_output(cli, ivanovs, monkeypatch, index=True)
        plain = validate_output(cli, ivanovs, monkeypatch, index=False)
        assert warm == again == plain
        return warm

    before = same_both_ways()
    assert before.count(" W104: ") == 3

    # An edit: one Ivanov declares the others different people.
    write(ivanovs, "ivanov-ivan", "Ivan Ivanov", 'distinct_from = ["ivanov-ivan-2", "iwanow-iwan"]')
    settle(ivanovs)
    edited = same_both_ways()
    assert "ivanov-ivan.toml" not in edited
    assert edited.count(" W104: ") == 2

    # A deletion: the last look-alike pair is gone with it.
    (ivanovs / "data" / "cases" / "iwanow-iwan.toml").unlink()
    assert same_both_ways().count(" W104: ") == 0

    # A new file: a second file for Petr Petrov, and an id used twice.
    write(ivanovs, "petrov-petr-2", "Пётр Петров")
    (ivanovs / "data" / "cases" / "petrov-copy.toml").write_text(
        (ivanovs / "data" / "cases" / "petrov-petr.toml").read_text()
    )
    settle(ivanovs)
    last = same_both_ways()
    assert "petrov-petr-2.toml:2:1: warning W104" in last
    assert "E042" in last
