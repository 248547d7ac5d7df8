"""Each filter is defined once (``query.FILTERS``), its Python test beside its SQL: both
choose the same cases, filter by filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from exilecases.ops.load import select
from exilecases.ops.query import FILTERS, Filters, sql_where
from exilecases.store.files import load_vocabulary

#: For every filter, values that choose some cases but not all.
EXAMPLES = {
    "status": Filters(status=["deported", "detained"]),
    "outcome": Filters(outcome=["protected"]),
    "basis": Filters(basis=["RU-CC-338"]),
    "category": Filters(category=["journalist", "deserter"]),
    "origin": Filters(origin=["ru"]),
    "host": Filters(host=["kz"]),
    "since/until": Filters(since="2024-03", until="2025"),
    "as_of": Filters(as_of="2023-06-30", status=["unknown"]),
    # No bundled case was returned in breach of interim measures: this example checks that
    # both paths agree on none; tests/ops/test_deadlines.py checks them on breached cases.
    "breached": Filters(breached=True),
}


def test_every_filter_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(item.name for item in FILTERS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_python_and_sql_choose_the_same_cases(bundled: Path, name: str) -> None:
    vocabulary = load_vocabulary(bundled)
    filters = EXAMPLES[name]
    every = select(bundled, vocabulary, Filters(), use_cache=False).cases
    python = [c["id"] for c in select(bundled, vocabulary, filters, use_cache=False).cases]
    indexed = [c["id"] for c in select(bundled, vocabulary, filters, use_cache=True).cases]
    assert python == indexed
    assert python or name == "breached", name
    assert len(python) < len(every) or name in ("origin", "host")
    item = next(f for f in FILTERS if f.name == name)
    assert (sql_where(filters, vocabulary) is None) == (item.sql is None)


def test_an_impossible_combination_chooses_nothing_on_both_paths(bundled: Path) -> None:
    vocabulary = load_vocabulary(bundled)
    filters = Filters(status=["deported"], outcome=["protected"])
    assert sql_where(filters, vocabulary) is not None
    for use_cache in (False, True):
        assert select(bundled, vocabulary, filters, use_cache=use_cache).cases == []
