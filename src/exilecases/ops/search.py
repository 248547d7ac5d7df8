"""Ranked search over cases: transliteration of Russian names plus fuzzy word matching.

Every text is brought to one folded Latin form (:func:`normalise`) in which the Cyrillic
spelling of a Russian name and its Latin spellings under the usual schemes (ICAO passports,
GOST, BGN/PCGN, the press) meet: ``Евгений``, ``Evgenij``, ``Evgenii`` and ``Yevgeny`` all
become ``evgeni``. Query words are then compared with the words of each case with
``rapidfuzz``'s ``fuzz.ratio``, so near spellings (``Kachkurin`` / ``Kachkurkin``) still match.

A case's score is the mean, over the query words, of the best weighted match of each word
anywhere in the case (names weigh 1.0, the id 0.9, free text 0.8). Free text only takes
query words long enough to mean something, so ``"the"`` does not match every summary.

How it stays fast: each case's texts are split into whitespace-separated chunks
(``"Korobov,"``); the distinct chunks of all cases are folded together in one pass of
string-level operations, the query words are compared with the distinct folded words in C
(``rapidfuzz.process``), and each case is then scored by set operations on its chunks.

This module imports nothing from the rest of the package but ``format.chars`` (the
format characters, removed so that ``Iv\u200ban`` is ``Ivan``).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import iuliia
from rapidfuzz import fuzz, process

from exilecases.format.chars import strip_format
from exilecases.format.fields import entries

#: Weights of the field groups: a perfect hit in a field scores its weight.
NAME_WEIGHT = 1.0
ID_WEIGHT = 0.9
TEXT_WEIGHT = 0.8

#: Lowest ``fuzz.ratio`` (0..100) at which two words count as the same word.
WORD_CUTOFF = 80.0
#: Query words at most this long must match a name word exactly.
EXACT_ONLY_LENGTH = 3
#: Query words shorter than this never match free text.
TEXT_MIN_LENGTH = 3
#: Query words shorter than this match free text only exactly.
TEXT_FUZZY_LENGTH = 5

#: Function words (English, Russian) that never match free text; folded below (STOPWORDS).
# fmt: off
_FUNCTION_WORDS = (
    "the", "and", "for", "with", "from", "that", "this", "his", "her", "hers", "him", "she",
    "has", "had", "have", "not", "are", "was", "were", "who", "whom", "but", "its", "they",
    "them", "been", "into", "after", "before", "over", "under", "than", "then", "when",
    "where", "what", "which", "there", "their", "also", "one", "two",
    "его", "её", "это", "как", "что", "для", "при", "был", "была", "были", "или", "также",
)
# fmt: on

# --- the normal form -----------------------------------------------------------------------

_APOSTROPHES = "'’‘ʹʺʼʻ`´″“”"
#: Replaced before transliteration: apostrophes and soft-sign marks go, ё becomes е, and the
#: letters of Ukrainian, Belarusian and Kazakh Cyrillic that iuliia passes through become
#: their nearest Russian letter.
_PRE_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    *((mark, "") for mark in _APOSTROPHES),
    ("ё", "е"),
    ("і", "i"),
    ("ї", "i"),
    ("є", "е"),
    ("ґ", "g"),
    ("ў", "u"),
    ("ә", "а"),
    ("ғ", "г"),
    ("қ", "к"),
    ("ң", "н"),
    ("ө", "о"),
    ("ұ", "у"),
    ("ү", "у"),
    ("һ", "х"),
)
#: An English possessive ("Yemelyanova's"), dropped so the name itself matches.
_POSSESSIVE = re.compile(r"['’]s\b")
_TRANSLITERATION = iuliia.MOSMETRO
_CYRILLIC_RUN = re.compile(r"[\u0400-\u052f]+")
#: Format characters (Unicode category Cf: zero-width spaces and joiners, bidi controls, the
#: soft hyphen), removed so that ``Kor\u200bobov`` is one word, ``Korobov``.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]+"
)
#: Combining marks left by NFKD (the diacritics of Latin letters).
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
#: ASCII punctuation and control characters become a word break (str.translate is fast for
#: an ASCII-only table), as ``_NON_WORD`` makes them in other text: a chunk folds the same
#: whatever text it is folded with (the index folds each case apart).
_ASCII_PUNCTUATION = str.maketrans(
    dict.fromkeys(
        string.punctuation + "".join(chr(c) for c in (*range(32), 127) if chr(c) != "\n"), " "
    )
)
#: Any other character that is not a letter or digit becomes a word break; newlines stay.
_NON_WORD = re.compile(r"(?:[^\w\n]|_)+")
#: Spelling variants of the Latin schemes, replaced in this order.
_VARIANTS: tuple[tuple[str, str], ...] = (
    ("x", "ks"),
    ("w", "v"),
    ("q", "k"),
    ("shch", "sch"),
    ("kh", "h"),
    ("ye", "e"),
    ("je", "e"),
    ("yo", "e"),
    ("jo", "e"),
    ("yu", "iu"),
    ("ju", "iu"),
    ("ya", "ia"),
    ("ja", "ia"),
    ("y", "i"),
    ("j", "i"),
)
_ASCII_REPEATS = re.compile(r"([a-z])\1+")
_REPEATS = re.compile(r"([^\W\d_])\1+")


def normalise(text: str) -> str:
    """Fold ``text`` to the form in which Cyrillic and Latin spellings of a name meet.

    NFKC, format characters (Cf: zero-width, bidi controls) removed, case folding, ё → е,
    Cyrillic → Latin (iuliia, Moscow Metro scheme), no diacritics or apostrophes, then the
    Latin scheme variants folded (ye/je → e, yo → e, yu/ju → iu, ya/ja → ia, y/j → i,
    kh → h, shch → sch, w → v, x → ks, doubled letters once). Words are joined by single
    spaces: ``normalise("Yevgeniy KOROBOW")`` is ``"evgeni korobov"``, as is
    ``normalise("Евгений Коробов")``.
    """
    return " ".join(_fold_text(text).split())


@lru_cache(maxsize=100_000)
def _transliterate_run(run: str) -> str:
    """Latin letters for one run of lower-case Cyrillic letters."""
    return _TRANSLITERATION.translate(run)


def _replace_all(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    """Apply each replacement in turn (skipping absent ones, which is cheap to test)."""
    for old, new in replacements:
        if old in text:
            text = text.replace(old, new)
    return text


def _fold_text(text: str) -> str:
    """Fold ``text`` with string-level operations only; newlines stay where they were."""
    if "'s" in text or "’s" in text:
        text = _POSSESSIVE.sub("", text)
    if not text.isascii():
        text = strip_format(unicodedata.normalize("NFKC", text)).casefold()
        text = _replace_all(text, _PRE_REPLACEMENTS)
        text = _CYRILLIC_RUN.sub(lambda run: _transliterate_run(run.group()), text)
        if not text.isascii():
            text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    else:
        text = text.lower().replace("'", "").replace("`", "")
    text = text.translate(_ASCII_PUNCTUATION)
    if not text.isascii():
        text = _NON_WORD.sub(" ", text)
    text = _replace_all(text, _VARIANTS)
    if text.isascii():
        return _ASCII_REPEATS.sub(r"\1", text)
    return _REPEATS.sub(r"\1", text)


def _fold_many(chunks: list[str]) -> list[str]:
    """The folded form of each whitespace-free chunk, all folded in one pass."""
    if not chunks:
        return []
    folded = _fold_text("\n".join(chunks)).split("\n")
    if len(folded) != len(chunks):  # pragma: no cover - a normal form that made a newline
        return [" ".join(_fold_text(chunk).split()) for chunk in chunks]
    return folded


#: The folded function words.
STOPWORDS: frozenset[str] = frozenset(map(normalise, _FUNCTION_WORDS))


# --- matching one query word ---------------------------------------------------------------


def _cutoff(query_word: str, *, text: bool) -> float | None:
    """The lowest ratio at which ``query_word`` matches a word, or None when it cannot."""
    if text and (len(query_word) < TEXT_MIN_LENGTH or query_word in STOPWORDS):
        return None
    exact_up_to = TEXT_FUZZY_LENGTH - 1 if text else EXACT_ONLY_LENGTH
    return 100.0 if len(query_word) <= exact_up_to else WORD_CUTOFF


def _matches(query_word: str, vocabulary: list[str], *, text: bool) -> dict[str, float]:
    """Every word of ``vocabulary`` that matches ``query_word``, with its score 0..1."""
    cutoff = _cutoff(query_word, text=text)
    if cutoff is None:
        return {}
    found = process.extract(
        query_word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
    )
    return {word: score / 100 for word, score, _ in found}


# --- the searchable fields of a case -------------------------------------------------------


class _Field(NamedTuple):
    """One searchable text of a case: what to call it, its weight, whether it is free text."""

    label: str
    weight: float
    free_text: bool
    text: str


#: Top-level fields: key -> (label, weight, free text), in the order they explain a hit.
_CASE_FIELDS: dict[str, tuple[str, float, bool]] = {
    "name": ("name", NAME_WEIGHT, False),
    "name_original": ("original name", NAME_WEIGHT, False),
    "aliases": ("alias", NAME_WEIGHT, False),
    "id": ("id", ID_WEIGHT, False),
    "summary": ("summary", TEXT_WEIGHT, True),
    "risk": ("risk", TEXT_WEIGHT, True),
}
#: Fields of the tables: table -> key -> (label, weight, free text).
_TABLE_FIELDS: dict[str, dict[str, tuple[str, float, bool]]] = {
    "events": {
        "note": ("event note", TEXT_WEIGHT, True),
        "place": ("event place", TEXT_WEIGHT, True),
        "authority": ("event authority", TEXT_WEIGHT, True),
    },
    "charges": {"note": ("charge note", TEXT_WEIGHT, True)},
    "sources": {
        "title": ("source title", TEXT_WEIGHT, True),
        "outlet": ("source outlet", TEXT_WEIGHT, True),
    },
    "contacts": {
        "name": ("contact", TEXT_WEIGHT, False),
        "organisation": ("contact organisation", TEXT_WEIGHT, True),
    },
}


def _strings(value: object) -> list[str]:
    """The strings of a scalar-or-list case value (anything else is ignored)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _fields(case: dict) -> Iterator[_Field]:
    """Every searchable text of ``case``, names first."""
    for key, (label, weight, free_text) in _CASE_FIELDS.items():
        for text in _strings(case.get(key)):
            yield _Field(label, weight, free_text, text)
    for table, keys in _TABLE_FIELDS.items():
        for row in entries(case, table):
            for key, (label, weight, free_text) in keys.items():
                text = row.get(key)
                if isinstance(text, str):
                    yield _Field(label, weight, free_text, text)


def searchable(case: dict) -> dict:
    """Only the parts of ``case`` that search reads (names, texts, the tables' texts).

    ``search`` gives the same results on these as on whole cases; the index cache stores
    them so that a search over 100,000 cases decodes and holds far less.
    """
    part: dict = {key: case[key] for key in _CASE_FIELDS if key in case}
    for table, keys in _TABLE_FIELDS.items():
        rows = entries(case, table)
        if rows:
            part[table] = [{k: row[k] for k in keys if k in row} for row in rows]
    return part


_Group = tuple[float, bool]  # (weight, free text)
#: The field groups, in the order of _CASE_FIELDS then _TABLE_FIELDS.
_GROUPS: tuple[_Group, ...] = tuple(
    dict.fromkeys(
        [(weight, free) for _, weight, free in _CASE_FIELDS.values()]
        + [(weight, free) for keys in _TABLE_FIELDS.values() for _, weight, free in keys.values()]
    )
)
#: Where each field's text goes: top-level key -> group number, and per table key -> number.
_CASE_ROUTES: tuple[tuple[str, int], ...] = tuple(
    (key, _GROUPS.index((weight, free))) for key, (_, weight, free) in _CASE_FIELDS.items()
)
_TABLE_ROUTES: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = tuple(
    (table, tuple((key, _GROUPS.index((weight, free))) for key, (_, weight, free) in keys.items()))
    for table, keys in _TABLE_FIELDS.items()
)


@dataclass(frozen=True, slots=True)
class _Indexed:
    """A case with the whitespace-separated chunks (``"Korobov,"``) of each field group."""

    case: dict
    groups: tuple[tuple[float, bool, tuple[str, ...]], ...]  # (weight, free text, chunks)


def _group_texts(case: dict) -> list[list[str]]:
    """The texts of ``case`` sorted into the field groups.

    The fast path of :func:`_fields` for scoring every case (the tests check they agree).
    """
    parts: list[list[str]] = [[] for _ in _GROUPS]
    for key, group in _CASE_ROUTES:
        value = case.get(key)
        if isinstance(value, str):
            parts[group].append(value)
        elif isinstance(value, list):
            parts[group] += [item for item in value if isinstance(item, str)]
    for table, routes in _TABLE_ROUTES:
        rows = case.get(table)
        if not isinstance(rows, list):
            continue
        for row in rows:
            if isinstance(row, dict):
                for key, group in routes:
                    value = row.get(key)
                    if isinstance(value, str):
                        parts[group].append(value)
    return parts


def _index(case: dict) -> _Indexed:
    """Split the texts of every field group of ``case`` into chunks (once per search)."""
    groups = []
    for (weight, free_text), texts in zip(_GROUPS, _group_texts(case), strict=True):
        if texts and (chunks := tuple("\n".join(texts).split())):
            groups.append((weight, free_text, chunks))
    return _Indexed(case, tuple(groups))


def document_words(case: dict) -> set[str]:
    """The folded words of every searchable text of ``case``: what the index's postings hold,
    the same words ``search`` compares query words with."""
    chunks = [chunk for *_, chunks in _index(case).groups for chunk in chunks]
    return set(" ".join(_fold_many(chunks)).split())


def query_words(query: str) -> list[str]:
    """The distinct folded words of a query, in order."""
    return list(dict.fromkeys(normalise(query).split()))


def matching_words(query: str, vocabulary: list[str]) -> set[str]:
    """The words of ``vocabulary`` that match some word of ``query``: a case holding none of
    them scores 0 (the index's prefilter). A word's matches as a name include its matches
    as free text (whose cutoffs are never lower), so the former are enough."""
    found: set[str] = set()
    for word in query_words(query):
        found.update(_matches(word, vocabulary, text=False))
    return found


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked search result; ``matched`` says in words what matched."""

    id: str
    name: str
    score: float
    matched: str

    def to_dict(self) -> dict[str, object]:
        """The JSON form: ``{"id", "name", "score", "matched"}``."""
        return {"id": self.id, "name": self.name, "score": self.score, "matched": self.matched}


@dataclass(frozen=True, slots=True)
class _QueryWord:
    """One folded query word and the chunks that match it, as a name and as free text."""

    word: str
    as_name: dict[str, float]
    as_text: dict[str, float]

    def found(self, free_text: bool) -> dict[str, float]:
        """The matching chunks (with scores 0..1) for a field of that kind."""
        return self.as_text if free_text else self.as_name


def _chunk_scores(pairs: list[tuple[str, str]], word_matches: dict[str, float]) -> dict[str, float]:
    """Score each (chunk, folded chunk) pair by its best matching folded word."""
    scores = {}
    for chunk, folded in pairs:
        best = max((word_matches.get(word, 0.0) for word in folded.split()), default=0.0)
        if best:
            scores[chunk] = best
    return scores


@dataclass(frozen=True, slots=True)
class _Query:
    """The query as typed, its words with their matching chunks, and all those chunks."""

    text: str
    words: list[_QueryWord]
    #: Every chunk that matches some query word, for name fields and for free text.
    as_name: frozenset[str]
    as_text: frozenset[str]

    def reaches(self, field: _Field) -> bool:
        """True when some chunk of ``field`` matches some query word (a quick test)."""
        found = self.as_text if field.free_text else self.as_name
        return not found.isdisjoint(field.text.split())


def _match_query(indexed: list[_Indexed], query: str, query_words: list[str]) -> _Query:
    """For each query word, the chunks of any case that match it."""
    chunks = list(set().union(*(chunks for item in indexed for *_, chunks in item.groups)))
    folded = _fold_many(chunks)
    vocabulary = list(set(" ".join(folded).split()))
    word_matches = [
        (_matches(q, vocabulary, text=False), _matches(q, vocabulary, text=True))
        for q in query_words
    ]
    matched = set().union(*(found for pair in word_matches for found in pair))
    candidates = [
        (chunk, text)
        for chunk, text in zip(chunks, folded, strict=True)
        if text in matched or (" " in text and not matched.isdisjoint(text.split()))
    ]
    words = [
        _QueryWord(q, _chunk_scores(candidates, as_name), _chunk_scores(candidates, as_text))
        for q, (as_name, as_text) in zip(query_words, word_matches, strict=True)
    ]
    return _Query(
        query,
        words,
        as_name=frozenset().union(*(word.as_name for word in words)),
        as_text=frozenset().union(*(word.as_text for word in words)),
    )


def _case_score(indexed: _Indexed, query: _Query) -> float:
    """Mean over the query words of the best weighted match of each word in the case."""
    total = 0.0
    for word in query.words:
        best = 0.0
        for weight, free_text, chunks in indexed.groups:
            found = word.found(free_text)
            if found and not found.keys().isdisjoint(chunks):
                best = max(best, weight * max(found[c] for c in found.keys() & chunks))
        total += best
    return total / len(query.words)


def search(
    cases: Iterable[dict], query: str, *, limit: int | None = None, min_score: float = 0.5
) -> list[SearchHit]:
    """Rank ``cases`` against ``query``; best first, ties by name.

    Names, original-script names and aliases weigh 1.0, the id 0.9, summaries, risks and
    the texts of events, charges, sources and contacts 0.8. A Latin query finds a Cyrillic
    name and the reverse, and near spellings match. Hits below ``min_score`` (0..1) are left
    out; ``limit`` keeps only the first ones. A query with no words gives no hits.
    """
    words = query_words(query)
    if not words:
        return []
    indexed = [_index(case) for case in cases]
    matched = _match_query(indexed, query, words)
    scored = [(round(_case_score(item, matched), 3), item.case) for item in indexed]
    ranked = sorted(
        ((score, case) for score, case in scored if score > 0 and score >= min_score),
        key=lambda pair: (-pair[0], _display_name(pair[1]).casefold(), str(pair[1].get("id"))),
    )
    if limit is not None:
        ranked = ranked[: max(limit, 0)]
    return [_hit(case, score, matched) for score, case in ranked]


def _display_name(case: dict) -> str:
    """The case's name, or its id when it has none."""
    name = case.get("name")
    return name if isinstance(name, str) else str(case.get("id", ""))


# --- explaining a hit ----------------------------------------------------------------------

_CHUNK = re.compile(r"\S+")
_EXCERPT_CONTEXT = 30


@dataclass(frozen=True, slots=True)
class _FieldMatch:
    """How one field of a hit matched: weighted score per query word, where, how exactly."""

    field: _Field
    scores: tuple[float, ...]
    span: tuple[int, int] | None
    exact: bool
    closeness: float


def _match_field(field: _Field, query: _Query) -> _FieldMatch | None:
    """Score one field chunk by chunk (None when nothing in it matches)."""
    if not query.reaches(field):
        return None
    found = [word.found(field.free_text) for word in query.words]
    best = [0.0] * len(found)
    span = None
    for chunk in _CHUNK.finditer(field.text):
        for i, scores in enumerate(found):
            score = scores.get(chunk.group(), 0.0)
            if score > best[i]:
                best[i] = score
                if span is None or chunk.start() < span[0]:
                    span = chunk.span()
    return _FieldMatch(
        field,
        scores=tuple(field.weight * score for score in best),
        span=span,
        exact=all(score in (0.0, 1.0) for score in best),
        closeness=fuzz.partial_ratio(query.text.casefold(), field.text.casefold()),
    )


def _excerpt(text: str, span: tuple[int, int]) -> str:
    """A short one-line excerpt of ``text`` around ``span``, with ``...`` where cut."""
    start, end = max(span[0] - _EXCERPT_CONTEXT, 0), min(span[1] + _EXCERPT_CONTEXT, len(text))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    excerpt = " ".join(text[start:end].split())
    return ("..." if start > 0 else "") + excerpt + ("..." if end < len(text) else "")


def _describe(match: _FieldMatch) -> str:
    """``name "Evgenij Korobov"``, ``summary: "...deserted twice..."``, ``(fuzzy)`` if so."""
    field = match.field
    if field.free_text and match.span is not None:
        text = f'{field.label}: "{_excerpt(field.text, match.span)}"'
    else:
        text = f'{field.label} "{" ".join(field.text.split())}"'
    return text if match.exact else f"{text} (fuzzy)"


def _rank_key(match: _FieldMatch, positions: list[int]) -> tuple[float, float, int]:
    """Order fields by score over the given query words, raw closeness, then shortness."""
    score = round(sum(match.scores[i] for i in positions), 6)
    return (score, match.closeness, -len(match.field.text))


def _explain(case: dict, query: _Query) -> str:
    """The field that explains the hit best, plus one more for query words it misses."""
    field_matches = [m for field in _fields(case) if (m := _match_field(field, query))]
    if not field_matches:
        return ""
    everything = list(range(len(query.words)))
    best = max(field_matches, key=lambda m: _rank_key(m, everything))
    missing = [
        i for i in everything if best.scores[i] == 0 and any(m.scores[i] > 0 for m in field_matches)
    ]
    if not missing:
        return _describe(best)
    second = max(field_matches, key=lambda m: _rank_key(m, missing))
    return f"{_describe(best)}; {_describe(second)}"


def _hit(case: dict, score: float, query: _Query) -> SearchHit:
    """Build the result for one ranked case."""
    return SearchHit(
        id=str(case.get("id", "")),
        name=_display_name(case),
        score=score,
        matched=_explain(case, query),
    )
