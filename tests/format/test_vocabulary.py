"""The vocabularies: the defaults, a repository's extensions, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from exilecases.format.vocabulary import VocabularyError, default_vocabulary
from exilecases.store.files import load_vocabulary


def repo_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "vocabulary.toml").write_text(text)
    return tmp_path


def test_every_default_status_has_an_outcome_class() -> None:
    vocabulary = default_vocabulary()
    outcomes = set(vocabulary.keys("outcomes"))
    assert {vocabulary.outcome_of(s) for s in vocabulary.keys("statuses")} <= outcomes
    assert vocabulary.statuses_with_outcome("returned") == {
        "deported",
        "extradited",
        "handed_over",
        "refused_entry",
    }


def test_the_defaults_cover_every_basis_the_seed_articles_name() -> None:
    bases = set(default_vocabulary().keys("legal_bases"))
    assert {
        "RU-CC-338",
        "RU-CC-275",
        "RU-CC-282.3",
        "RU-CC-207.3",
        "RU-CC-158",
        "KZ-CC-392",
        "KZ-AOC",
        "CHISINAU-CONVENTION",
    } <= bases


def test_a_repository_extends_and_overrides(tmp_path: Path) -> None:
    root = repo_with(
        tmp_path,
        '[statuses.hiding]\nlabel = "In hiding"\noutcome = "pending"\n'
        '[legal_bases."RU-CC-338"]\nmax_penalty = "life"\n'
        '[fields]\nprivate = ["events.place"]\n',
    )
    vocabulary = load_vocabulary(root)
    assert vocabulary.outcome_of("hiding") == "pending"
    assert vocabulary.entries["legal_bases"]["RU-CC-338"]["max_penalty"] == "life"
    assert vocabulary.label("legal_bases", "RU-CC-338") == "Desertion"  # kept from the default
    assert vocabulary.defined_in[("statuses", "hiding")] == "data/vocabulary.toml"
    assert vocabulary.private_fields == ["events.place"]


@pytest.mark.parametrize(
    "text,line,words",
    [
        ('[statuses.hiding]\nlabel = "In hiding"\n', 1, "outcome"),
        ('# lists\n\n[colours.red]\nlabel = "Red"\n', 3, "unknown list [colours]"),
        ('[statuses]\nhiding = "x"\n', 2, "must be a table"),
        ('[statuses.hiding]\nlabel = "In hiding\n', 2, "TOML syntax"),
        ('[fields]\nprivate = "born"\n', 1, "[fields] takes private"),
    ],
)
def test_a_broken_repository_vocabulary_names_the_line(tmp_path, text, line, words) -> None:
    with pytest.raises(VocabularyError) as error:
        load_vocabulary(repo_with(tmp_path, text))
    assert error.value.line == line
    assert words in str(error.value)


def test_suggestions_for_typos() -> None:
    vocabulary = default_vocabulary()
    assert vocabulary.suggest("statuses", "deportd") == "deported"
    assert vocabulary.suggest("statuses", "DEPORTED") == "deported"
    assert vocabulary.suggest("legal_bases", "ru-cc-338") == "RU-CC-338"
    assert vocabulary.suggest("categories", "zzzz") is None
