"""Creating a case: the id made from a name, the new file checked and written once."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from exilecases.errors import ExilecasesError
from exilecases.format.canonical import canonical_text
from exilecases.format.vocabulary import Vocabulary
from exilecases.store.files import check_id

REQUIRED = ("name", "status", "origin_country", "host_country")


def missing_fields(given: dict[str, str | None]) -> list[str]:
    """The required fields with no value yet."""
    return [field for field in REQUIRED if not given.get(field)]


def ascii_words(text: str) -> list[str]:
    """The words of a name in lowercase ASCII (Cyrillic transliterated, accents dropped,
    NFKC and invisible format characters removed: ``Iv\u200ban`` is ``ivan``)."""
    from exilecases.format.chars import strip_format

    text = strip_format(unicodedata.normalize("NFKC", text))
    if re.search("[\u0400-\u04ff]", text):
        import iuliia

        text = iuliia.WIKIPEDIA.translate(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return [word for word in re.split(r"[^a-z0-9]+", text) if word]


#: Apostrophes inside a word (O'Brien, d’Artagnan) join its letters: they are not a break.
_APOSTROPHES = "'\u2019\u02bc\u2018`"


def name_words(text: str) -> list[str]:
    """The words of a name as id parts: split at spaces only, each word in lowercase ASCII
    with a hyphen kept between its pieces and apostrophes dropped, so that
    ``Мамедов-Оглы`` is ``mamedov-ogly`` and ``O'Brien`` is ``obrien``."""
    words = []
    for word in text.split():
        for mark in _APOSTROPHES:
            word = word.replace(mark, "")
        pieces = ascii_words(word)
        if pieces:
            words.append("-".join(pieces))
    return words


def id_from_name(name: str) -> str:
    """The id a name gives: surname (the last word, hyphens inside it kept) first,
    ``[a-z0-9-]``, e.g. "Evgenij Korobov" -> ``korobov-evgenij``, "Фёдор Мамедов-Оглы" ->
    ``mamedov-ogly-fyodor``."""
    words = name_words(name)
    if not words:
        raise ExilecasesError(f"cannot make an id from the name {name!r}; pass --id", 2)
    ordered = [words[-1], *words[:-1]]
    case_id = "-".join(ordered)[:64].strip("-")
    if len(case_id) < 3:
        raise ExilecasesError(
            f"the name {name!r} gives the id {case_id!r}, which is too short; pass --id", 2
        )
    return case_id


def new_case_message(case: dict[str, Any]) -> str:
    """The message of a case's first commit: ``ivanov-dmitry: add case (deported)``."""
    return f"{case.get('id')}: add case ({case.get('status')})"


def build_case(
    given: dict[str, Any],
    *,
    case_id: str | None = None,
    bases: list[str] | None = None,
    **optional: Any,
) -> dict[str, Any]:
    """A new case from the required fields and any optional ones (empty ones left out)."""
    case: dict[str, Any] = {"id": check_id(case_id) if case_id else id_from_name(given["name"])}
    case.update({key: given[key] for key in REQUIRED})
    case.update({key: value for key, value in optional.items() if value})
    for key in ("citizenship",):
        if key in case:
            case[key] = [value.upper() for value in case[key]]
    if bases:
        case["charges"] = [{"basis": basis} for basis in bases]
    return case


def refuse_look_alikes(root: Path, case: dict[str, Any], vocabulary: Vocabulary) -> None:
    """Refuse a new case that looks like an existing one (the rule of ``W104``), naming it
    and the way on: ``--distinct-from ID`` when they are different people.

    Raises ``ExilecasesError`` (exit 1) before anything is written.
    """
    from exilecases.ops.load import load
    from exilecases.ops.validate import look_alikes

    existing = load(root, vocabulary, whole=False)
    alikes = look_alikes(case, existing.checks, existing.name_keys)
    if not alikes:
        return
    named = "; ".join(
        f"{check.rel} ({check.case['name']!r})" for check in alikes if check.case is not None
    )
    ids = [check.case["id"] for check in alikes if check.case is not None]
    raise ExilecasesError(
        f"nothing was written: {case['name']!r} looks like the same person as {named}. "
        f"Add to that case instead (exilecases show {ids[0]}), or, if this is someone "
        f"else, run the command again with {' '.join(f'--distinct-from {i}' for i in ids)}",
        1,
    )


def write_new_case(root: Path, case: dict[str, Any], vocabulary: Vocabulary) -> Path:
    """Check the new case as if it were on disk, then write it through the one write path
    (``ops/update.create_case``); never overwrite a file.

    Raises ``ExilecasesError`` listing the findings when the case would be invalid, or when
    a file of that id exists.
    """
    from exilecases.ops.update import create_case

    return create_case(root, case["id"], canonical_text(case), case, vocabulary)
