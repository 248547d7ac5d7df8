"""Tests of search.py: the folded normal form and the ranked, fuzzy search."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exilecases.ops import search as searching
from exilecases.ops.search import _GROUPS, SearchHit, _fields, _group_texts, normalise

search = searching.search


def search_through_the_index(cases, query: str, **options) -> list[SearchHit]:
    """``search`` as the index answers it: the cases stored as index rows (in memory), the
    search table and postings filled, only the cases holding a matching word ranked."""
    import json
    from pathlib import Path

    from exilecases.format.vocabulary import default_vocabulary
    from exilecases.ops.load import _search_row
    from exilecases.store.index import IndexRow, _Batch, open_index

    with open_index(Path("/nonexistent"), default_vocabulary(), memory=True) as index:
        index.db.execute("BEGIN")
        batch = _Batch(index.db)
        for number, case in enumerate(cases):
            row = IndexRow(
                f"{number:05}.toml", True, None, None, None, None, json.dumps(case), "[]", "",
                None, None, [], [],
            )  # fmt: skip
            batch.add(row, f"1/1/1/{number}")
        batch.flush()
        index.db.execute("COMMIT")
        index.fill_search(_search_row)
        words = searching.matching_words(query, index.search_vocabulary())
        return searching.search(index.search_documents(words), query, **options)


@pytest.fixture(autouse=True, scope="module", params=["every case", "the index"])
def _both_paths(request: pytest.FixtureRequest):
    """Every test of this module runs twice: ranking every case, and ranking what the
    index's word table and postings select (the results must be the same)."""
    global search
    search = searching.search if request.param == "every case" else search_through_the_index
    yield
    search = searching.search


EQUIVALENT_SPELLINGS = [
    ("Коробов", "Korobov"),
    ("Коробов", "Korobow"),
    ("Евгений", "Evgenij"),
    ("Евгений", "Evgenii"),
    ("Евгений", "Yevgeny"),
    ("Евгений", "Evgeny"),
    ("Евгений", "Yevgeniy"),
    ("Емельянова", "Yemelyanova"),
    ("Емельянова", "Emelyanova"),
    ("Емельянова", "Emelianova"),
    ("Movlayev", "Movlaev"),
    ("Movlayev", "Мовлаев"),
    ("Baltatarova", "Балтатарова"),
    ("Юлия", "Yulia"),
    ("Юлия", "Yuliya"),
    ("Юлия", "Iuliia"),
    ("Юлия", "Julia"),
    ("Евгения", "Yevgeniya"),
    ("Евгения", "Yevgenia"),
    ("Семён", "Semyon"),
    ("Семён", "Semen"),
    ("Семен", "Семён"),
    ("Фархад", "Farkhad"),
    ("Фархад", "Farhad"),
    ("Жилин", "Zhilin"),
    ("Ёлкин", "Елкин"),
    ("Ёлкин", "Yolkin"),
    ("Евгений Коробов", "YEVGENIY   korobow"),
    ("Chișinău", "Chisinau"),
    ("Ol'ga", "Ольга"),
    ("Yemelyanova's", "Емельянова"),
    ("Movlaev’s", "Movlaev"),
]


@pytest.mark.parametrize(("left", "right"), EQUIVALENT_SPELLINGS)
def test_equivalent_spellings_meet(left: str, right: str) -> None:
    assert normalise(left) == normalise(right)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Евгений Коробов", "evgeni korobov"),
        ("Yulia Yemelyanova", "iulia emelianova"),
        ("  Mansur,\tMovlayev! ", "mansur movlaev"),
        ("korobov-evgenij", "korobov evgeni"),
        ("Farkhad", "farhad"),
        ("", ""),
    ],
)
def test_normal_form_keeps_word_boundaries(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [("Korobov", "Kobzarev"), ("Евгений", "Евгения"), ("Semyon", "Simon"), ("Zhilin", "Jilin")],
)
def test_different_names_stay_different(left: str, right: str) -> None:
    assert normalise(left) != normalise(right)


CASES: list[dict] = [
    {
        "id": "korobov-evgenij",
        "name": "Evgenij Korobov",
        "name_original": "Евгений Коробов",
        "status": "asylum_denied",
        "summary": "Career officer; shot himself in the leg to leave the front.",
        "events": [{"date": "2025-02-05?", "type": "court_ruling", "authority": "Court of Astana"}],
        "contacts": [{"name": "Artur Alkhastov", "role": "lawyer"}],
    },
    {
        "id": "yemelyanova-yulia",
        "name": "Yulia Yemelyanova",
        "status": "at_risk",
        "summary": "Activist from Chelyabinsk, wanted for an anti-war post.",
    },
    {
        "id": "movlayev-mansur",
        "name": "Mansur Movlayev",
        "aliases": ["Mansur Movlaev"],
        "status": "extradited",
        "summary": "Chechen activist extradited in February 2026.",
    },
    {
        "id": "kachkurkin-alexander",
        "name": "Alexander Kachkurkin",
        "aliases": ["Oleksandr Kachkurkin"],
        "status": "deported",
        "summary": "IT specialist from Crimea, expelled within hours for jaywalking.",
    },
    {
        "id": "baltatarova-yevgeniya",
        "name": "Yevgeniya Baltatarova",
        "status": "asylum_pending",
        "summary": "Journalist from Ulan-Ude; the FSB raided her flat over 'army fakes'.",
    },
    {
        "id": "bazhukov-semyon",
        "name": "Semyon Bazhukov",
        "status": "handed_over",
        "summary": "Contract soldier who deserted twice; handed over at Priozersk.",
        "events": [{"date": "2026-02-02", "type": "handover", "place": "Priozersk"}],
    },
    {
        "id": "sandzhiev-igor",
        "name": "Igor Sandzhiev",
        "status": "expulsion_ordered",
        "summary": "Mobilised soldier who crossed the border near Saykhin.",
        "contacts": [{"name": "Yury Kobzarev", "role": "lawyer"}],
    },
]


def first_id(query: str) -> str:
    """The id of the best hit for ``query`` over CASES."""
    hits = search(CASES, query)
    assert hits, f"no hit for {query!r}"
    return hits[0].id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Коробов", "korobov-evgenij"),
        ("Евгений Коробов", "korobov-evgenij"),
        ("Емельянова", "yemelyanova-yulia"),
        ("Юлия Емельянова", "yemelyanova-yulia"),
        ("Мовлаев", "movlayev-mansur"),
        ("Балтатарова", "baltatarova-yevgeniya"),
        ("Семён Бажуков", "bazhukov-semyon"),
    ],
)
def test_cyrillic_query_finds_latin_name(query: str, expected: str) -> None:
    assert first_id(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Korobow", "korobov-evgenij"),
        ("Yevgeny Korobov", "korobov-evgenij"),
        ("Emelianova", "yemelyanova-yulia"),
        ("Iuliia Emelyanova", "yemelyanova-yulia"),
        ("Movlaev", "movlayev-mansur"),
        ("Evgenia Baltatarova", "baltatarova-yevgeniya"),
        ("Semen Bazhukov", "bazhukov-semyon"),
        ("Oleksandr Kachkurkin", "kachkurkin-alexander"),
    ],
)
def test_latin_variant_query_finds_name(query: str, expected: str) -> None:
    assert first_id(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kachkurin", "kachkurkin-alexander"),
        ("Bazukov", "bazhukov-semyon"),
        ("Baltaterova", "baltatarova-yevgeniya"),
        ("Sandziev", "sandzhiev-igor"),
    ],
)
def test_misspelt_query_finds_name(query: str, expected: str) -> None:
    hits = search(CASES, query)
    assert hits[0].id == expected
    assert 0.5 <= hits[0].score < 1.0
    assert hits[0].matched.endswith("(fuzzy)")


def test_multi_word_query_prefers_the_case_matching_every_word() -> None:
    hits = search(CASES, "evgeny korobov", min_score=0.0)
    assert [hit.id for hit in hits] == ["korobov-evgenij", "baltatarova-yevgeniya"]
    assert hits[0].score == 1.0
    assert 0.4 < hits[1].score < 0.5  # only "Yevgeniya" ~ "evgeny", and only fuzzily
    assert [hit.id for hit in search(CASES, "evgeny korobov")] == ["korobov-evgenij"]


def test_exact_name_scores_one_and_says_which_field() -> None:
    [hit] = search(CASES, "Evgenij Korobov", limit=1)
    assert hit == SearchHit("korobov-evgenij", "Evgenij Korobov", 1.0, 'name "Evgenij Korobov"')


def test_alias_spelling_is_named_in_matched() -> None:
    hit = search(CASES, "Movlaev")[0]
    assert hit.id == "movlayev-mansur"
    assert hit.matched == 'alias "Mansur Movlaev"'


def test_cyrillic_query_is_explained_by_original_name() -> None:
    assert search(CASES, "Коробов")[0].matched == 'original name "Евгений Коробов"'


def test_summary_match_gives_an_excerpt_and_lower_weight() -> None:
    hits = search(CASES, "deserted")
    assert [hit.id for hit in hits] == ["bazhukov-semyon"]
    assert hits[0].score == 0.8
    assert hits[0].matched.startswith('summary: "')
    assert "deserted twice" in hits[0].matched


LONG_SUMMARY = {
    "id": "long-summary",
    "name": "Long Summary",
    "summary": "Career officer; shot himself in the leg to leave the front and fled to "
    "Kazakhstan at the end of 2022, where he applied for asylum in April 2024.",
}


@pytest.mark.parametrize(
    ("query", "matched"),
    [
        (
            "Kazakhstan",
            'summary: "...to leave the front and fled to Kazakhstan at the end of 2022, '
            'where he applied..."',
        ),
        ("asylum", 'summary: "...of 2022, where he applied for asylum in April 2024."'),
        ("Career", 'summary: "Career officer; shot himself in the leg..."'),
        (
            "Kazakstan",
            'summary: "...to leave the front and fled to Kazakhstan at the end of '
            '2022, where he applied..." (fuzzy)',
        ),
    ],
)
def test_excerpt_is_cut_around_the_match(query: str, matched: str) -> None:
    assert search([LONG_SUMMARY], query)[0].matched == matched


def test_event_place_and_contact_are_searched() -> None:
    assert search(CASES, "Priozersk")[0].matched == 'event place: "Priozersk"'
    assert search(CASES, "Priozersk")[0].id == "bazhukov-semyon"
    assert search(CASES, "Kobzarev")[0].id == "sandzhiev-igor"
    assert search(CASES, "Alkhastov")[0].matched == 'contact "Artur Alkhastov"'


def test_id_is_searched_with_its_own_weight() -> None:
    case = {"id": "zhilin-mikhail", "name": "M. Z.", "status": "deported"}
    [hit] = search([case], "zhilin mikhail")
    assert hit.score == 0.9
    assert hit.matched == 'id "zhilin-mikhail"'


def test_words_in_different_fields_are_both_explained() -> None:
    hit = search(CASES, "Korobov Astana")[0]
    assert hit.id == "korobov-evgenij"
    assert hit.score == 0.9
    assert hit.matched == 'name "Evgenij Korobov"; event authority: "Court of Astana"'


@pytest.mark.parametrize("query", ["qwxzptl", "zzzz", "", "   ", "!!!"])
def test_nonsense_finds_nothing(query: str) -> None:
    assert search(CASES, query) == []


@pytest.mark.parametrize("query", ["the", "from", "of", "in"])
def test_short_common_word_does_not_match_everything(query: str) -> None:
    assert search(CASES, query) == []


def test_scores_are_rounded_between_zero_and_one_and_sorted() -> None:
    hits = search(CASES, "Evgeniya activist", min_score=0.0)
    assert len(hits) >= 3
    assert all(0.0 < hit.score <= 1.0 for hit in hits)
    assert all(hit.score == round(hit.score, 3) for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_ties_are_ordered_by_name() -> None:
    hits = search(CASES, "activist")
    assert [hit.name for hit in hits] == ["Mansur Movlayev", "Yulia Yemelyanova"]
    assert hits[0].score == hits[1].score == 0.8


def test_limit_and_min_score() -> None:
    assert len(search(CASES, "activist", limit=1)) == 1
    assert search(CASES, "Kachkurin", min_score=0.99) == []


def test_to_dict_is_the_json_contract() -> None:
    hit = search(CASES, "Zhilin Semyon Bazhukov")[0]
    assert hit.to_dict() == {
        "id": "bazhukov-semyon",
        "name": "Semyon Bazhukov",
        "score": hit.score,
        "matched": hit.matched,
    }
    assert set(hit.to_dict()) == {"id", "name", "score", "matched"}


def test_hit_is_frozen() -> None:
    hit = search(CASES, "Korobov")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 0.1  # type: ignore[misc]


def test_missing_and_odd_fields_are_tolerated() -> None:
    cases = [
        {"id": "only-id"},
        {"id": "odd-types", "name": "Farhad X", "aliases": "Farkhad X", "events": ["junk"]},
    ]
    assert [hit.id for hit in search(cases, "Фархад")] == ["odd-types"]


def test_generator_input_is_accepted() -> None:
    assert search((case for case in CASES), "Коробов")[0].id == "korobov-evgenij"


@pytest.mark.parametrize("case", [*CASES, LONG_SUMMARY], ids=lambda case: case["id"])
def test_fast_grouping_agrees_with_the_fields_that_explain_hits(case: dict) -> None:
    by_group = {group: [] for group in _GROUPS}
    for field in _fields(case):
        by_group[(field.weight, field.free_text)].append(field.text)
    assert _group_texts(case) == [by_group[group] for group in _GROUPS]
    assert sum(map(len, _group_texts(case))) > 2


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normal_form_is_lower_case_single_spaced_words(text: str) -> None:
    folded = normalise(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert folded == folded.casefold()
    assert not any(char in folded for char in "'’ʹ.,;:!?-")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_any_query_gives_scores_between_zero_and_one(query: str) -> None:
    hits = search(CASES, query, min_score=0.0)
    assert all(0.0 < hit.score <= 1.0 for hit in hits)
    assert all(hit.matched for hit in hits)


def test_search_gives_the_same_on_the_searchable_part_of_cases() -> None:
    """The index cache stores only ``searchable(case)``; results must not change."""
    import tomllib
    from pathlib import Path

    from exilecases.ops.search import searchable

    folder = Path(__file__).resolve().parents[2] / "data" / "cases"
    whole = [tomllib.loads(p.read_text()) for p in sorted(folder.glob("*.toml"))]
    parts = [searchable(case) for case in whole]
    for query in ("Коробов", "Yevgeny", "Kachkurin", "Priozersk", "Alkhastov", "lawyer", "2026"):
        assert search(whole, query) == search(parts, query), query
    assert search(whole, "Yevgeny")  # not vacuous
