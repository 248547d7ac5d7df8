"""``inf``, ``-inf`` and ``nan`` in a case are finding E013, not a silent ``null`` in JSON.

TOML can write these numbers; JSON cannot, so an export used to turn them into ``null``
without a word. Only ``[private]`` and keys the format does not define can hold a number
(anywhere else a number is already E011), so that is where the check looks, at any depth.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import make_repo
from exilecases import Repository

HEAD = (
    'id = "odd-numbers"\nname = "Odd Numbers"\norigin_country = "RU"\nhost_country = "KZ"\n'
    'status = "detained"\n'
)
TEXT = (
    HEAD + "score = -inf\n\n"
    '[[events]]\ndate = "2024"\ntype = "detention"\nodds = [1.0, nan]\n\n'
    "[private]\nlimits = {upper = inf}\nplain = 1.5\n"
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / "data" / "cases" / "odd-numbers.toml").write_text(TEXT, encoding="utf-8")
    return root


def test_every_non_finite_number_is_an_error_at_its_line(root: Path) -> None:
    found = [(f.line, f.code, f.message) for f in Repository(root).check() if f.code == "E013"]
    assert [(line, code) for line, code, _ in found] == [(6, "E013"), (11, "E013"), (14, "E013")]
    messages = [message for _, _, message in found]
    assert messages[0].startswith("`score` is -inf, a number that is not finite")
    assert messages[1].startswith("`odds` in this [[events]] entry (item 2) is nan")
    assert messages[2].startswith("`private.limits.upper` is inf")
    assert all('write it as text in quotes, "' in message for message in messages)


def test_validate_fails_and_exports_carry_no_null(root: Path, cli) -> None:
    result = cli("validate", "--root", root)
    assert result.exit_code == 1
    assert "data/cases/odd-numbers.toml:14:1: error E013: `private.limits.upper` is inf" in (
        result.stdout
    )
    exported = cli("export", "--root", root, "--format", "json")
    assert json.loads(exported.stdout) == []
    assert "skipped data/cases/odd-numbers.toml:6:1: E013" in exported.stderr


def test_finite_numbers_and_the_same_words_as_text_are_fine(tmp_path: Path, cli) -> None:
    root = make_repo(tmp_path / "repo")
    text = HEAD + '\n[private]\nscore = "inf"\nnote = "nan"\nodds = [1.0, -0.0, 1e300]\n'
    (root / "data" / "cases" / "odd-numbers.toml").write_text(text, encoding="utf-8")
    result = cli("validate", "--root", root)
    assert result.exit_code == 0, result.stdout
    assert "E013" not in result.stdout
