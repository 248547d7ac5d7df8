"""Matching ignores what a reader cannot see: NFKC, and format characters (category Cf)
removed, in search, the duplicate check and the ids made from names."""

from __future__ import annotations

from exilecases.ops.newcase import id_from_name
from exilecases.ops.search import normalise, search
from exilecases.ops.validate import FileCheck, cross_file, name_keys


def _case(case_id: str, name: str) -> dict:
    return {"id": case_id, "name": name, "status": "at_risk"}


def test_search_finds_a_name_with_zero_width_characters() -> None:
    hidden = _case("zero-width", "Iv\u200ban Pet\u200drov")
    bidi = _case("bidi", "\u2066Ivan\u2069 \u202ePetrov\u202c")
    hits = search([hidden, bidi, _case("other", "Oleg Smirnov")], "Ivan Petrov")
    assert sorted((hit.id, hit.score) for hit in hits) == [("bidi", 1.0), ("zero-width", 1.0)]


def test_a_query_with_invisible_characters_finds_the_plain_name() -> None:
    hits = search([_case("ivan-petrov", "Ivan Petrov")], "Iv\u200ban Pe\ufefftrov")
    assert [hit.id for hit in hits] == ["ivan-petrov"]


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalise("Ｉｖａｎ Ｐｅｔｒｏｖ") == normalise("Ivan Petrov")
    assert normalise("Iv\u00adan") == normalise("Ivan")


def test_the_duplicate_check_sees_through_invisible_characters() -> None:
    plain = FileCheck("data/cases/ivan-petrov.toml", _case("ivan-petrov", "Ivan Petrov"))
    hidden = FileCheck("data/cases/zero-width.toml", _case("zero-width", "Iv\u200ban Pet\u200drov"))
    assert name_keys(plain.case) == name_keys(hidden.case)
    found = cross_file([plain, hidden])
    assert {(f.code, f.path) for f in found} == {
        ("W104", "data/cases/ivan-petrov.toml"),
        ("W104", "data/cases/zero-width.toml"),
    }


def test_ids_from_names_drop_invisible_characters() -> None:
    assert id_from_name("Iv\u200ban Pet\u200drov") == "petrov-ivan"
    assert id_from_name("\u202eIvan\u202c Ｐｅｔｒｏｖ") == "petrov-ivan"
