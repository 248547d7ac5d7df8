"""The canonical writer: stable, readable, and round-trips every value."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from exilecases.format.canonical import canonical_text

PROJECT = Path(__file__).resolve().parents[2]


def test_order_blank_lines_and_multiline_strings() -> None:
    case = {
        "status": "detained",
        "name": "A B",
        "id": "b-a",
        "private": {"notes": "x"},
        "events": [{"type": "fled", "date": "2022~", "sources": ["s"]}],
        "summary": 'Line one\nline "two" \\ three\n',
        "origin_country": "RU",
        "host_country": "KZ",
        "sources": [{"id": "s"}],
    }
    text = canonical_text(case)
    assert text == (
        'id = "b-a"\nname = "A B"\norigin_country = "RU"\nhost_country = "KZ"\n'
        'status = "detained"\nsummary = """\nLine one\nline \\"two\\" \\\\ three\n"""\n\n'
        '[[events]]\ndate = "2022~"\ntype = "fled"\nsources = ["s"]\n\n'
        '[[sources]]\nid = "s"\n\n[private]\nnotes = "x"\n'
    )
    assert tomllib.loads(text) == case


def test_long_arrays_break_one_item_per_line() -> None:
    aliases = [f"Alias number {i}" for i in range(8)]
    text = canonical_text({"id": "x-y", "aliases": aliases})
    assert 'aliases = [\n    "Alias number 0",\n' in text
    assert tomllib.loads(text)["aliases"] == aliases


def test_unknown_keys_are_kept_after_the_known_ones() -> None:
    text = canonical_text({"zzz": 1, "id": "a-b", "events": [{"date": "2024", "x": True}]})
    assert text.index("id =") < text.index("zzz =")
    assert tomllib.loads(text)["events"][0]["x"] is True


@pytest.mark.parametrize("path", sorted((PROJECT / "data" / "cases").glob("*.toml")), ids=str)
def test_bundled_cases_round_trip_and_are_stable(path: Path) -> None:
    data = tomllib.loads(path.read_text())
    once = canonical_text(data)
    assert tomllib.loads(once) == data
    assert canonical_text(tomllib.loads(once)) == once
