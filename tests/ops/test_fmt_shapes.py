"""``fmt`` never drops data: a file of any shape is either formatted to the same data or
left byte for byte as it is, with the finding (or the reason) that says why."""

from __future__ import annotations

import json
import tempfile
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exilecases.format.migrate import migrate_private
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.fmt import REFUSING_CODES, fmt_file
from exilecases.store.write import CaseWriter, same_data

HEAD = 'id = "shape-case"\nname = "Ivan Petrov"\nstatus = "detained"\norigin_country = "RU"\n'
VOCABULARY = default_vocabulary()


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's too)."""
    return json.dumps(text, ensure_ascii=False)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
#: Keys with control characters, newlines at the end, quotes, dots and brackets.
_KEY = st.one_of(
    st.text("abcxyz_-", min_size=1, max_size=6),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
    st.sampled_from(["key\n", "a\u0007b", "tab\there", "\u202eevil", "dot.ted", "[x]", '"']),
)
_VALUE = st.one_of(
    _TEXT.map(_string),
    st.integers(-5, 5).map(str),
    st.sampled_from(["true", "1.5", "nan", "inf", "2024-05-06", "[1, 2]", '{ a = "b" }']),
)
_PAIR = st.builds(lambda k, v: f"{_string(k)} = {v}\n", _KEY, _VALUE)
#: Top-level statements (before the first table header).
_TOP = st.one_of(
    _PAIR,
    st.just('host_country = "KZ"\n'),
    st.just('events = [{ date = "2024", type = "detention" }]\n'),
    st.just("private = 5\n"),
    st.just("aliases = 5\n"),
    st.builds(lambda t: f"summary = {_string(t)}\n", _TEXT),
)
#: Table blocks, with the wrong shapes of issue 9 among them.
_BLOCK = st.one_of(
    st.builds(
        lambda t: f'[[events]]\ndate = "2024-03"\ntype = "detention"\nnote = {_string(t)}\n',
        _TEXT,
    ),
    st.just('[events]\ndate = "2024"\ntype = "detention"\n'),
    st.just('[[private]]\nphone = "+7 700 000 00 00"\n'),
    st.builds(lambda p: f"[private]\n{p}", st.lists(_PAIR, max_size=3).map("".join)),
    st.builds(lambda p: f"[private.nested.deeper]\n{p}", _PAIR),
    st.builds(lambda p: f"[x_extra.sub]\n{p}", _PAIR),
    st.just('[[contacts]]\nname = "A lawyer"\n[contacts.extra]\nk = "v"\n'),
    st.just('[[contacts]]\nname = "Secret"\nprivate = true\n'),
    st.just('[events.x]\ndate = "2024"\n'),
    st.builds(lambda p: f'[[sources]]\nid = "s1"\n{p}', _PAIR),
)
_FILE = st.builds(
    lambda top, blocks, bom: ("\ufeff" if bom else "") + HEAD + "".join(top) + "".join(blocks),
    st.lists(_TOP, max_size=4),
    st.lists(_BLOCK, max_size=4),
    st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_FILE)
def test_fmt_keeps_the_data_or_leaves_the_file_as_it_is(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cases = root / "data" / "cases"
        cases.mkdir(parents=True)
        path = cases / "shape-case.toml"
        raw = text.encode("utf-8")
        path.write_bytes(raw)
        writer = CaseWriter(root, notice=None)
        rel = "data/cases/shape-case.toml"
        result = fmt_file(root, path, rel, VOCABULARY, writer=writer)
        after = path.read_bytes()
        if result.ok:
            # The data is the same, but for format 1's private entries moved into [private].
            old = migrate_private(tomllib.loads(text.removeprefix("\ufeff"))).data
            new = tomllib.loads(after.decode("utf-8"))
            assert same_data(new, old)
            assert not after.startswith(b"\xef\xbb\xbf")
            assert result.changed == (after != raw)
            again = fmt_file(root, path, rel, VOCABULARY, check=True)
            assert again.ok
        else:
            assert after == raw
            assert result.reason or result.refused
            assert all(f.code in REFUSING_CODES for f in result.refused)
        checked = fmt_file(root, path, rel, VOCABULARY, check=True)
        assert checked.ok == result.ok or not result.ok


def test_the_shapes_of_issue_9_are_refused_with_their_finding(tmp_path: Path) -> None:
    cases = tmp_path / "data" / "cases"
    cases.mkdir(parents=True)
    path = cases / "shape-case.toml"
    for block in ('[events]\ndate = "2024"\ntype = "detention"\n', '[[private]]\nphone = "1"\n'):
        raw = (HEAD + 'host_country = "KZ"\n' + block).encode()
        path.write_bytes(raw)
        result = fmt_file(tmp_path, path, "data/cases/shape-case.toml", VOCABULARY)
        assert [f.code for f in result.refused] == ["E011"]
        assert path.read_bytes() == raw
