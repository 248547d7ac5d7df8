"""Country names to ISO 3166-1 alpha-2 codes, in English and Russian, for "did you mean".

The codes and their English and Russian names come from pycountry (the ISO 3166 tables and
the iso-codes project's translations); a short table adds the names people type that the
standard does not use (``Russia``, ``Россия``, ``Turkey``, ``Кыргызстан``). Imported only by
the interactive ``add``: pycountry is not loaded by any other command.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata

#: Everyday names that are not ISO 3166's own (lowercase, folded).
COMMON_NAMES = {
    "russia": "RU",
    "россия": "RU",
    "рф": "RU",
    "российская федерация": "RU",
    "kyrgyzstan": "KG",
    "кыргызстан": "KG",
    "kirgizia": "KG",
    "moldova": "MD",
    "молдова": "MD",
    "молдавия": "MD",
    "turkey": "TR",
    "belarus": "BY",
    "белоруссия": "BY",
    "vietnam": "VN",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "america": "US",
    "сша": "US",
    "iran": "IR",
    "syria": "SY",
    "south korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "чехия": "CZ",
    "uae": "AE",
    "оаэ": "AE",
}


def _fold(text: str) -> str:
    """Lowercase, ``ё`` as ``е``, accents dropped, spaces squeezed."""
    text = unicodedata.normalize("NFKD", text.strip().lower().replace("ё", "е"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


@functools.cache
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """(every name folded -> code, code -> English name)."""
    import gettext

    import pycountry

    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    names: dict[str, str] = {}
    english: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        english[code] = getattr(country, "common_name", None) or country.name
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(_fold(value), code)
                names.setdefault(_fold(russian.gettext(value)), code)
    for name, code in COMMON_NAMES.items():
        names[_fold(name)] = code
    return names, english


def is_code(text: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code in capitals, or ``XX`` (stateless)."""
    return text == "XX" or text in _names()[1]


def name_of(code: str) -> str:
    """A code's English name (``RU`` -> ``Russian Federation``), or the code itself."""
    return "stateless" if code == "XX" else _names()[1].get(code, code)


def suggest_code(text: str) -> str | None:
    """The code ``text`` most likely means: a code in the wrong case (``ru``), a name in
    English or Russian (``Russia``, ``Казахстан``), or a near spelling of one
    (``Kazakstan``); None when nothing is close."""
    if text.upper() != text and is_code(text.upper()):
        return text.upper()
    names, _ = _names()
    folded = _fold(text)
    if folded in names:
        return names[folded]
    close = difflib.get_close_matches(folded, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None
