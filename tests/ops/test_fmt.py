"""``format_text``: the canonical form of a case file with every comment kept."""

from __future__ import annotations

import random
import re
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import TABLE_ORDER, canonical_text, format_pair, format_value
from exilecases.format.model import KEY_ORDER
from exilecases.ops.edit import format_text

PROJECT = Path(__file__).resolve().parents[2]
FILES = sorted((PROJECT / "data" / "cases").glob("*.toml")) + sorted(
    (PROJECT / "tests" / "fixtures" / "valid").glob("*.toml")
)

SCRAMBLED = '''\
# Header of the file: stays at the top.

status = "detained"                   # since May
# The name as the court spells it.
name = "Test Person"
aliases = [
    "T. Person",  # the press
    "Tester",
]


id = "test-person"
host_country = "KZ"
origin_country = "RU"
summary = """
Line one with "quotes" # and no comment
[[events]] is not a header here
"""  # after a multi-line string

[private]                             # never published
notes = "Mother lives in Astana"
# detached below the private notes

[[sources]]
outlet = "Vot Tak"
id = "vottak"

# above the first event
[[events]]
type = "detention"  # kind
date = "2024"
# at the end of the first event

[[charges]]
sources = ["vottak"]
basis = "RU-CC-338"



[[events]]
date = 2025-02-05
type = "release"
# end of the file
'''

FORMATTED = '''\
# Header of the file: stays at the top.

id = "test-person"
# The name as the court spells it.
name = "Test Person"
# the press
aliases = ["T. Person", "Tester"]
origin_country = "RU"
host_country = "KZ"
status = "detained"                   # since May
summary = """
Line one with \\"quotes\\" # and no comment
[[events]] is not a header here
"""  # after a multi-line string

[[charges]]
basis = "RU-CC-338"
sources = ["vottak"]

# above the first event
[[events]]
date = "2024"
type = "detention"  # kind
# at the end of the first event

[[events]]
date = 2025-02-05
type = "release"

[[sources]]
id = "vottak"
outlet = "Vot Tak"

[private]                             # never published
notes = "Mother lives in Astana"
# detached below the private notes
# end of the file
'''


def _comment_lines(text: str) -> list[str]:
    """The comments of a text: a line's part from a ``#`` after a blank with no quote
    after it (counted the same way in input and output)."""
    found = []
    for line in text.splitlines():
        match = re.search(r"(#[^\"]*)$", line)
        if match and (line.lstrip().startswith("#") or re.search(r"\s#", line)):
            found.append(match.group(1))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_idempotent_on_every_bundled_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = format_text(text)
    assert format_text(once) == once
    assert tomllib.loads(once) == tomllib.loads(text)
    assert sorted(_comment_lines(once)) == sorted(_comment_lines(text))


def test_formatting_every_bundled_file_is_fast() -> None:
    texts = [path.read_text(encoding="utf-8") for path in FILES]
    start = time.perf_counter()
    for text in texts:
        format_text(text)
    assert time.perf_counter() - start < 1.0


def test_scrambled_file_gets_canonical_order_and_keeps_every_comment() -> None:
    result = format_text(SCRAMBLED)
    assert result == FORMATTED
    assert sorted(_comment_lines(result)) == sorted(_comment_lines(SCRAMBLED))
    assert tomllib.loads(result) == tomllib.loads(SCRAMBLED)
    assert format_text(result) == result


def test_comment_free_input_gives_canonical_text() -> None:
    bare = """\
status = "detained"
aliases = [
    "T. Person",
    "Tester",
]
id = "test-person"


[[events]]
type = "detention"
date = 2024-05-06
[[sources]]
id = "vottak"
'x-custom' = 'literal'
[[charges]]
basis = "RU-CC-338"
"""
    assert format_text(bare) == canonical_text(tomllib.loads(bare))


def test_already_formatted_text_is_unchanged() -> None:
    assert format_text(FORMATTED) == FORMATTED


def test_comments_of_a_vanished_statement_are_kept() -> None:
    text = 'id = "a-b-c"\n# nothing private yet\nprivate = {}  # later\nstatus = "x"\n'
    result = format_text(text)
    assert "# nothing private yet" in result and "# later" in result
    assert format_text(result) == result


def test_inline_tables_become_tables_with_their_comments() -> None:
    text = 'id = "a-b-c"\n# the timeline\nevents = [{type = "fled", date = "2024"}]  # one\n'
    result = format_text(text)
    assert result == (
        'id = "a-b-c"\n\n# the timeline\n[[events]]  # one\ndate = "2024"\ntype = "fled"\n'
    )
    assert tomllib.loads(result) == tomllib.loads(text)


def test_invalid_toml_is_refused() -> None:
    with pytest.raises(ExilecasesError, match="not valid TOML"):
        format_text('id = "x"\nid = "y"\n')


def test_windows_line_endings_become_unix_ones() -> None:
    text = FORMATTED.replace("\n", "\r\n")
    assert format_text(text) == FORMATTED


# --- property: any case, rendered in any order, formats to its canonical text ------------

_SPECIAL = ['"', "\\", '"""', "'''", "\n", "\t", "#", "é", "Коробов", "[[events]]", "\\n", "\r\n"]
_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="§"), max_size=8),
        st.sampled_from(_SPECIAL),
    ),
    max_size=6,
).map("".join)
_WORD = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
_KEY = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="§"),
    min_size=1,
    max_size=10,
)
_DATE = st.one_of(st.sampled_from(["2024", "2024-05", "2024-05-06?", "2022~"]), st.dates())
_COUNTRIES = st.lists(st.sampled_from(["RU", "KZ", "KG", "XX", "GE"]), max_size=3)


def _entry(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy:
    return st.fixed_dictionaries(required, optional=optional)


_CHARGE = _entry(
    {"basis": _WORD},
    {"date": _DATE, "note": _TEXT, "sources": st.lists(_WORD, max_size=3), "x_extra": _TEXT},
)
_EVENT = _entry(
    {"date": _DATE, "type": _WORD},
    {
        "place": _TEXT,
        "authority": _TEXT,
        "outcome": _WORD,
        "note": _TEXT,
        "sources": st.lists(_WORD, max_size=3),
    },
)
_SOURCE = _entry(
    {"id": _WORD},
    {
        "outlet": _TEXT,
        "title": _TEXT,
        "url": _TEXT,
        "published": _DATE,
        "language": st.sampled_from(["ru", "en", "kk"]),
        "confidence": st.sampled_from(["high", "medium", "low"]),
        "note": _TEXT,
    },
)
_CONTACT = _entry({"name": _TEXT}, {"role": _WORD, "note": _TEXT, "private": st.booleans()})
_CASE = _entry(
    {
        "id": _WORD,
        "name": _TEXT,
        "status": _WORD,
        "origin_country": st.just("RU"),
        "host_country": st.sampled_from(["KZ", "KG", "GE"]),
    },
    {
        "name_original": _TEXT,
        "aliases": st.lists(_TEXT, max_size=6),
        "born": _DATE,
        "citizenship": _COUNTRIES,
        "categories": st.lists(_WORD, max_size=4),
        "risk": _TEXT,
        "summary": _TEXT,
        "distinct_from": st.lists(_WORD, max_size=2),
        "x_unknown": st.one_of(_TEXT, st.integers(), st.booleans(), st.lists(_TEXT, max_size=3)),
        "y_unknown": _TEXT,
        "charges": st.lists(_CHARGE, min_size=1, max_size=3),
        "events": st.lists(_EVENT, min_size=1, max_size=4),
        "sources": st.lists(_SOURCE, min_size=1, max_size=3),
        "contacts": st.lists(_CONTACT, min_size=1, max_size=2),
        "private": st.dictionaries(_KEY, st.one_of(_TEXT, st.booleans()), min_size=1),
    },
)


class _Renderer:
    """A valid but scrambled rendering of a case: keys, tables and entries shuffled, extra
    blank lines, arrays sometimes on several lines, and optionally comments everywhere."""

    def __init__(self, rnd: random.Random, comments: bool) -> None:
        self.rnd = rnd
        self.comments = comments
        self.markers: list[str] = []

    def _marker(self) -> str:
        marker = f"#§{len(self.markers)}"
        self.markers.append(marker)
        return marker

    def _maybe_comment_lines(self) -> list[str]:
        if self.comments and self.rnd.random() < 0.3:
            return [self._marker() for _ in range(self.rnd.randint(1, 2))]
        return []

    def _blanks(self) -> list[str]:
        return [""] * self.rnd.choice([0, 0, 1, 2])

    def pair(self, key: str, value: Any) -> list[str]:
        lines = self._maybe_comment_lines()
        if isinstance(value, list) and value and self.rnd.random() < 0.5:
            body = [f"{format_pair(key, value).split(' = ', 1)[0]} = ["]
            for item in value:
                inner = f"  {self._marker()}" if self.comments and self.rnd.random() < 0.3 else ""
                body.append(f"    {format_value(item)},{inner}")
            body.append("]")
        else:
            body = format_pair(key, value).split("\n")
        if self.comments and self.rnd.random() < 0.4:
            body[-1] += " " * self.rnd.randint(1, 30) + self._marker()
        return lines + body + self._blanks()

    def shuffled(self, keys: list[str], order: list[str]) -> list[str]:
        """The keys shuffled, but unknown ones kept in their order: canonical form writes
        them after the known keys in the order the file has them."""
        mixed = list(keys)
        self.rnd.shuffle(mixed)
        unknown = iter([key for key in keys if key not in order])
        return [key if key in order else next(unknown) for key in mixed]

    def table(self, header: str, table: dict[str, Any], order: list[str]) -> list[str]:
        lines = [*self._maybe_comment_lines(), header]
        if self.comments and self.rnd.random() < 0.3:
            lines[-1] += "   " + self._marker()
        for key in self.shuffled(list(table), order):
            lines += self.pair(key, table[key])
        return lines + self._maybe_comment_lines() + [""] + self._blanks()

    def render(self, case: dict[str, Any]) -> str:
        lines = [*self._maybe_comment_lines(), ""]
        top = [k for k in case if k not in (*TABLE_ORDER, "private")]
        for key in self.shuffled(top, KEY_ORDER["case"]):
            lines += self.pair(key, case[key])
        lines.append("")
        tokens = [name for name in TABLE_ORDER for _ in case.get(name, [])]
        tokens += ["private"] if "private" in case else []
        self.rnd.shuffle(tokens)
        taken = dict.fromkeys(TABLE_ORDER, 0)
        for name in tokens:
            if name == "private":
                lines += self.table("[private]", case["private"], [])
            else:
                lines += self.table(f"[[{name}]]", case[name][taken[name]], KEY_ORDER[name])
                taken[name] += 1
        return "\n".join(lines + self._maybe_comment_lines()) + "\n"


def _strip_markers(text: str) -> str:
    lines = [line for line in text.split("\n") if not re.fullmatch(r"#§\d+", line)]
    return "\n".join(re.sub(r"\s+#§\d+$", "", line) for line in lines)


@settings(max_examples=200, deadline=None)
@given(case=_CASE, seed=st.integers(0, 2**32))
def test_any_scrambled_case_formats_to_its_canonical_text(case: dict[str, Any], seed: int) -> None:
    canonical = canonical_text(case)
    assert tomllib.loads(canonical) == case
    scrambled = _Renderer(random.Random(seed), comments=False).render(case)
    assert tomllib.loads(scrambled) == case
    result = format_text(scrambled)
    assert result == canonical
    assert tomllib.loads(result) == case
    assert format_text(result) == result


@settings(max_examples=200, deadline=None)
@given(case=_CASE, seed=st.integers(0, 2**32))
def test_any_commented_case_keeps_data_and_every_comment(case: dict[str, Any], seed: int) -> None:
    renderer = _Renderer(random.Random(seed), comments=True)
    scrambled = renderer.render(case)
    assert tomllib.loads(scrambled) == case
    result = format_text(scrambled)
    assert tomllib.loads(result) == case
    assert format_text(result) == result
    for marker in renderer.markers:
        assert len(re.findall(re.escape(marker) + r"(?!\d)", result)) == 1, marker
    assert _strip_markers(result).strip("\n") == canonical_text(case).strip("\n")
