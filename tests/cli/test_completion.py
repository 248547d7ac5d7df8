"""Shell completion offers the ids of the repository and its vocabulary's keys."""

from __future__ import annotations

from pathlib import Path

from exilecases.cli.common import _complete_ids, _complete_stats_field, _completer


class FakeContext:
    def __init__(self, root: Path) -> None:
        self.params = {"root": root}


def test_ids_complete_from_the_repository(bundled: Path) -> None:
    assert _complete_ids(FakeContext(bundled), "ka") == ["kachkurkin-alexander", "kasimov-kamil"]


def test_vocabulary_keys_complete_including_the_repository_s_own(bundled: Path) -> None:
    (bundled / "data/vocabulary.toml").write_text(
        '[statuses.hiding]\nlabel = "In hiding"\noutcome = "pending"\n'
    )
    ctx = FakeContext(bundled)
    assert _completer("statuses")(ctx, "h") == ["handed_over", "hiding"]
    assert _completer("legal_bases")(ctx, "RU-CC-2") == [
        "RU-CC-205.2",
        "RU-CC-207.3",
        "RU-CC-275",
        "RU-CC-275.1",
        "RU-CC-276",
        "RU-CC-280.3",
        "RU-CC-280.4",
        "RU-CC-282.2",
        "RU-CC-282.3",
        "RU-CC-284.1",
    ]
    assert _completer("categories")(ctx, "de") == ["deserter"]


def test_completion_outside_a_repository_uses_the_defaults(tmp_path: Path) -> None:
    assert _complete_ids(FakeContext(tmp_path), "") == []
    assert "deported" in _completer("statuses")(FakeContext(tmp_path), "dep")


def test_stats_fields_complete() -> None:
    assert _complete_stats_field("ba") == ["basis"]
