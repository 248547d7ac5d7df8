"""Fuzzing the loader and validator: whatever the bytes, a finding or a case, never a crash.

Inputs are random bytes, random text, and valid case files mutated the way hands and merges
break them (characters and lines deleted, duplicated or inserted, quotes swapped, files cut
short). Every case that comes out is also pushed through the public redaction and the
exports, which must not crash either.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, PROJECT
from exilecases.format.findings import CODES, ERROR, WARNING, Finding
from exilecases.format.positions import KeyPositions
from exilecases.format.privacy import personal_data_findings, redact
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.export import export_csv, export_json
from exilecases.ops.validate import FileCheck, check_file

VOCABULARY = default_vocabulary()
SEED_FILES = sorted((PROJECT / "data" / "cases").glob("*.toml")) + sorted(
    (FIXTURES / "valid").glob("*.toml")
)
SEEDS = [path.read_text("utf-8") for path in SEED_FILES]
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Characters that matter to TOML and to the rules: quotes, brackets, dates, Cyrillic.
TOML_ALPHABET = "abcdeiknorstuyz_-019 =\"'[]{}.,#:+~?%\\\n\tTZЁё\u00a0\u2028\ufeff"
#: Lines worth inserting: headers, wrong types, dates with times, markers, private flags.
SNIPPETS = [
    "[[events]]",
    "[[sources]]",
    "[[contacts]]",
    "[[charges]]",
    "[private]",
    "[events]",
    "date = 2025-02-05T10:00:00",
    "date = 2025-02-30",
    'date = "0000"',
    'date = "2024-13?"',
    "published = 1979-05-27",
    'outcome = "deported"',
    'type = "nope"',
    "sources = []",
    'sources = ["missing"]',
    "sources = [",
    "private = true",
    'private = "yes"',
    "status = 1",
    "aliases = [[1], {a = 2}]",
    'id = "x"',
    'id = "X_Y"',
    'citizenship = ["ru"]',
    'summary = """',
    '"""',
    "'''",
    "<<<<<<< HEAD",
    "=======",
    ">>>>>>> branch",
    'x.y.z = "dotted"',
    'events = "not a list"',
    "[[events.sources]]",
    "inf = inf",
    "n = 1e400",
    'note = "+7 701 555 01 99, ул. Абая, д. 12"',
]


def check(raw: bytes) -> FileCheck:
    """The checked file, with the invariants every outcome must keep."""
    result = check_file(raw, "x.toml", "x", VOCABULARY)
    assert isinstance(result, FileCheck)
    assert result.case is not None or result.findings
    lines = raw.count(b"\n") + 1
    for item in result.findings:
        assert isinstance(item, Finding)
        assert item.code in CODES, item
        assert item.severity == (ERROR if item.code.startswith("E") else WARNING)
        assert item.path == "x.toml"
        assert item.line >= 1 and item.col >= 1, item
        assert item.line <= lines + 1, item
        assert item.message
    if result.case is not None:
        _use_case(result.case, raw)
    return result


def _use_case(case: dict, raw: bytes) -> None:
    """What the other commands do with a case must not crash either."""
    json.dumps(case, ensure_ascii=False)
    public = redact(case, VOCABULARY)
    assert "private" not in public
    assert all(not c.get("private") for c in public.get("contacts", []))
    export_json([case], VOCABULARY, public=True)
    for table in (None, "events", "charges", "sources", "contacts"):
        export_csv([case], VOCABULARY, public=False, table=table)
    text = raw.decode("utf-8").removeprefix("\ufeff")
    for item in personal_data_findings(case, "x.toml", KeyPositions(text).locate):
        assert item.code == "W105" and item.line >= 1 and item.col >= 1


@FUZZ
@given(st.binary(max_size=2_000))
def test_random_bytes(raw: bytes) -> None:
    check(raw)


@FUZZ
@given(st.text(max_size=2_000))
def test_random_text(text: str) -> None:
    check(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.lists(st.one_of(st.text(TOML_ALPHABET, max_size=60), st.sampled_from(SNIPPETS))))
def test_random_toml_like_lines(lines: list[str]) -> None:
    check("\n".join(lines).encode("utf-8"))


# --- mutations of valid files -----------------------------------------------------------


def _span(draw, text: str) -> tuple[int, int]:
    start = draw(st.integers(0, max(len(text) - 1, 0)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    return start, end


def _swap_quotes(text: str, start: int, end: int) -> str:
    table = str.maketrans({'"': "'", "'": '"'})
    return text[:start] + text[start:end].translate(table) + text[end:]


@st.composite
def mutated(draw) -> str:
    """A valid case file broken by one to six edits."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(
                [
                    "delete",
                    "duplicate",
                    "insert",
                    "delete-line",
                    "duplicate-line",
                    "insert-line",
                    "swap-lines",
                    "swap-quotes",
                    "truncate",
                    "bytes-as-text",
                ]
            )
        )
        text = _mutate(draw, text, kind)
    return text


def _mutate(draw, text: str, kind: str) -> str:
    if kind.endswith("line") or kind == "swap-lines":
        return _mutate_lines(draw, text.split("\n"), kind)
    start, end = _span(draw, text)
    if kind == "delete":
        return text[:start] + text[end:]
    if kind == "duplicate":
        return text[:end] + text[start:end] + text[end:]
    if kind == "insert":
        return text[:start] + draw(st.text(TOML_ALPHABET, min_size=1, max_size=5)) + text[start:]
    if kind == "swap-quotes":
        return _swap_quotes(text, start, end)
    if kind == "truncate":
        return text[:start]
    # A stretch of text replaced by arbitrary characters (control characters, surrogates).
    return text[:start] + draw(st.text(max_size=8)) + text[end:]


def _mutate_lines(draw, lines: list[str], kind: str) -> str:
    index = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "delete-line":
        del lines[index]
    elif kind == "duplicate-line":
        lines.insert(index, lines[index])
    elif kind == "insert-line":
        lines.insert(index, draw(st.sampled_from(SNIPPETS)))
    else:
        other = draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[index], lines[other] = lines[other], lines[index]
    return "\n".join(lines)


@FUZZ
@given(mutated())
def test_mutated_valid_cases(text: str) -> None:
    check(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(0, 10_000))
def test_valid_cases_cut_at_any_byte(text: str, cut: int) -> None:
    raw = text.encode("utf-8")
    check(raw[: cut % (len(raw) + 1)])


def test_seeds_are_the_bundled_and_valid_files() -> None:
    assert len(SEEDS) == len(SEED_FILES) > 10
    for text in SEEDS:
        result = check(text.encode("utf-8"))
        assert result.case is not None
        # only the file name differs from the id ("x"): E040, nothing else is an error
        assert {f.code for f in result.findings if f.severity == ERROR} <= {"E040"}
        assert re.search(r'^id = "', text, re.MULTILINE)


def test_seed_paths_exist() -> None:
    assert all(isinstance(p, Path) and p.is_file() for p in SEED_FILES)
