"""Personal data on its way out: the W105 check where data is written or published.

``validate --public-check`` reports W105 over the whole repository. Here the same check
guards the two moments it matters most: a public ``export`` (refused while a case it would
publish holds something that looks like a phone number, an e-mail or a street address), and
an edit (``set``, ``add`` and the ``add`` commands warn at once when they write such a value
into a public field). Messages name the file, the line and the kind of data, never the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exilecases.format.findings import Finding
from exilecases.format.positions import KeyPositions
from exilecases.format.privacy import personal_data_findings
from exilecases.format.vocabulary import Vocabulary


def personal_data_in(root: Path, vocabulary: Vocabulary, case_ids: Iterable[str]) -> list[Finding]:
    """W105 findings of the case files of these ids, read from disk (never the index), one
    file at a time (an export of 100,000 cases holds none of them in memory)."""
    from exilecases.ops.load import check_paths
    from exilecases.store.files import case_path

    paths = [path for path in (case_path(root, i) for i in case_ids) if path.is_file()]
    found: list[Finding] = []
    # Whole files: the check itself skips what is private (a sealed part needs no key),
    # and keeps every entry at its index in the file (the lines it names are the file's).
    # It runs in the worker processes, which send back only the findings.
    for findings in check_paths(root, paths, vocabulary, prepare=_personal_findings):
        found += findings
    return sorted(found, key=Finding.sort_key)


def _personal_findings(check: Any) -> list[Finding]:
    """The W105 findings of one checked file (``check_paths``'s ``prepare``)."""
    from exilecases.ops.validate import public_check

    return public_check([check])


def new_personal_data(
    old: dict[str, Any] | None, new: dict[str, Any], rel: str, text: str
) -> list[Finding]:
    """The W105 findings of ``new`` (whose file text is ``text``) that ``old`` did not have:
    what an edit has just written into a public field."""

    def nowhere(_: Any) -> tuple[int, int]:
        return (1, 1)

    before = {f.message for f in personal_data_findings(old, rel, nowhere)} if old else set()
    if all(f.message in before for f in personal_data_findings(new, rel, nowhere)):
        return []  # the usual case: no need to find where anything stands in the file
    positions = KeyPositions(text.removeprefix("\ufeff"))  # the writer keeps a BOM
    return [
        f for f in personal_data_findings(new, rel, positions.locate) if f.message not in before
    ]
