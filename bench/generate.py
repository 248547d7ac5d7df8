"""Synthetic but valid case repositories for the benchmark.

``generate(root, n, seed)`` writes ``root/data/cases/<id>.toml`` for ``n`` made-up people.
Every file passes ``exilecases validate`` with no finding at all (no error, no warning):

- names are built from syllables so that every person's folded name is unique (the
  cross-file "same person?" rule stays silent even at 100,000 cases);
- statuses, event types, categories and legal bases come from the shipped vocabulary;
- the ``status`` is the outcome of the latest dated event that has one;
- every event and charge cites a source the file defines.

Case ``i`` depends only on ``(seed, i)``, so the repository of 1,000 cases is the first
1,000 cases of the repository of 10,000 with the same seed (file names aside, they sort
differently). About one case in fifteen is ``deported``.

Files are written from plain string templates (no TOML library), which keeps generation of
100,000 cases to well under a minute.

Run as a script: ``python bench/generate.py DIR N [--seed S]``.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from exilecases.format.vocabulary import default_vocabulary

# --- vocabulary ----------------------------------------------------------------------------

# The generated cases use the vocabulary exilecases ships: one source of truth.
_VOCABULARY = default_vocabulary()
LEGAL_BASES: list[str] = _VOCABULARY.keys("legal_bases")
CATEGORIES: list[str] = _VOCABULARY.keys("categories")

# --- statuses and the timelines that lead to them --------------------------------------------

#: Final status -> weight (out of 150: deported is 10/150 = 1/15).
STATUS_WEIGHTS: dict[str, int] = {
    "asylum_pending": 20,
    "asylum_denied": 15,
    "at_risk": 15,
    "released": 14,
    "detained": 12,
    "refugee": 12,
    "deported": 10,
    "extradition_requested": 10,
    "left_country": 10,
    "expulsion_ordered": 8,
    "extradition_approved": 6,
    "extradited": 6,
    "refused_entry": 6,
    "handed_over": 3,
    "unknown": 3,
}

#: Final status -> the steps after the common opening, as (event type, outcome or None).
#: The last step always carries the final status as its outcome.
PATHS: dict[str, list[tuple[str, str | None]]] = {
    "at_risk": [("wanted_listed", "at_risk")],
    "asylum_pending": [("asylum_application", "asylum_pending")],
    "asylum_denied": [
        ("asylum_application", "asylum_pending"),
        ("asylum_decision", "asylum_denied"),
    ],
    "detained": [("detention", "detained")],
    "extradition_requested": [
        ("detention", "detained"),
        ("extradition_request", "extradition_requested"),
    ],
    "extradition_approved": [
        ("detention", "detained"),
        ("extradition_request", "extradition_requested"),
        ("extradition_decision", "extradition_approved"),
    ],
    "expulsion_ordered": [("detention", "detained"), ("expulsion_order", "expulsion_ordered")],
    "released": [
        ("detention", "detained"),
        ("extradition_request", "extradition_requested"),
        ("release", "released"),
    ],
    "refugee": [("asylum_application", "asylum_pending"), ("asylum_decision", "refugee")],
    "left_country": [("departure", "left_country")],
    "deported": [
        ("detention", "detained"),
        ("expulsion_order", "expulsion_ordered"),
        ("deportation", "deported"),
    ],
    "extradited": [
        ("detention", "detained"),
        ("extradition_decision", "extradition_approved"),
        ("extradition", "extradited"),
    ],
    "handed_over": [("detention", "detained"), ("handover", "handed_over")],
    "refused_entry": [("entry_refused", "refused_entry")],
    "unknown": [("other", "unknown")],
}
OPENING = ["fled", "criminal_case_opened", "arrival", "wanted_listed"]
FILLERS = ["court_ruling", "appeal", "conviction", "residence_permit", "other"]
AFTERWARDS = ["appeal", "other", "court_ruling"]

# --- names ---------------------------------------------------------------------------------

# Surname stems are consonant-vowel syllables from letters that the search module's folding
# leaves alone (no h, j, w, x, y, q, c; no doubled letters), followed by a suffix that starts
# with a consonant: the folded surname is then the stem plus the suffix, and distinct stems
# give distinct people.
_CONSONANTS = "bdgklmnprstvz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]
_CYRILLIC = dict(zip("bdgklmnprstvzaeiou", "бдгклмнпрствзаеиоу", strict=True))
_MALE_SUFFIXES = [("nov", "нов"), ("rov", "ров"), ("kov", "ков"), ("lev", "лев"), ("kin", "кин")]
_FEMALE_SUFFIXES = [
    ("nova", "нова"),
    ("rova", "рова"),
    ("kova", "кова"),
    ("leva", "лева"),
    ("kina", "кина"),
]
#: (Latin, Cyrillic, other Latin spellings)
_MALE_GIVEN = [
    ("Dmitry", "Дмитрий", ["Dmitriy", "Dmitrii"]),
    ("Sergei", "Сергей", ["Sergey", "Serguei"]),
    ("Alexander", "Александр", ["Aleksandr", "Alexandr"]),
    ("Evgeny", "Евгений", ["Yevgeny", "Evgenij", "Evgenii"]),
    ("Andrei", "Андрей", ["Andrey"]),
    ("Mikhail", "Михаил", ["Mihail"]),
    ("Ivan", "Иван", []),
    ("Nikolai", "Николай", ["Nikolay"]),
    ("Maxim", "Максим", ["Maksim"]),
    ("Artem", "Артём", ["Artyom", "Artiom"]),
    ("Kirill", "Кирилл", []),
    ("Ilya", "Илья", ["Ilia", "Il'ya"]),
    ("Pavel", "Павел", []),
    ("Timur", "Тимур", []),
    ("Ruslan", "Руслан", []),
    ("Vadim", "Вадим", []),
    ("Yuri", "Юрий", ["Yury", "Iurii"]),
    ("Oleg", "Олег", []),
    ("Semyon", "Семён", ["Semen", "Semion"]),
    ("Denis", "Денис", []),
]
_FEMALE_GIVEN = [
    ("Natalya", "Наталья", ["Natalia", "Nataliya"]),
    ("Yulia", "Юлия", ["Iuliia", "Julia"]),
    ("Yevgeniya", "Евгения", ["Evgenia", "Evgeniya"]),
    ("Anna", "Анна", []),
    ("Maria", "Мария", ["Mariya"]),
    ("Olga", "Ольга", ["Ol'ga"]),
    ("Daria", "Дарья", ["Darya", "Dariya"]),
    ("Ekaterina", "Екатерина", ["Yekaterina"]),
    ("Svetlana", "Светлана", []),
    ("Irina", "Ирина", []),
]

# --- places, outlets, people -----------------------------------------------------------------

#: host country -> (cities, authorities)
HOSTS: dict[str, tuple[list[str], list[str]]] = {
    "KZ": (
        ["Astana", "Almaty", "Shymkent", "Oral", "Kostanay", "Aktobe"],
        ["Court of Astana", "Almaty City Court", "Migration Service", "Prosecutor General"],
    ),
    "KG": (["Bishkek", "Osh"], ["Pervomaisky District Court", "State Committee for Security"]),
    "AM": (["Yerevan", "Gyumri"], ["Court of First Instance", "Migration Service of Armenia"]),
    "GE": (["Tbilisi", "Batumi"], ["Tbilisi City Court", "Public Service Development Agency"]),
    "RS": (["Belgrade", "Novi Sad"], ["Higher Court in Belgrade", "Asylum Office"]),
    "TR": (["Istanbul", "Antalya"], ["Istanbul Heavy Penal Court", "Directorate of Migration"]),
    "AE": (["Dubai", "Abu Dhabi"], ["Dubai Court of Appeal", "Federal Authority for Identity"]),
    "TH": (["Bangkok", "Phuket"], ["Criminal Court of Bangkok", "Immigration Bureau"]),
    "MN": (["Ulaanbaatar"], ["Immigration Agency of Mongolia"]),
    "VN": (["Hanoi", "Ho Chi Minh City"], ["People's Court of Hanoi"]),
}
HOST_WEIGHTS = [40, 12, 10, 9, 6, 6, 5, 5, 4, 3]
ORIGINS = [("RU", 85), ("BY", 8), ("TJ", 3), ("UZ", 2), ("TM", 2)]
OUTLETS = [
    ("Vot Tak", "vottak", "ru"),
    ("Meduza", "meduza", "ru"),
    ("Mediazona", "mediazona", "ru"),
    ("Radio Azattyq", "azattyq", "ru"),
    ("Novaya Gazeta Europe", "novaya", "en"),
    ("OVD-Info", "ovdinfo", "ru"),
    ("Vlast.kz", "vlast", "ru"),
    ("Eurasianet", "eurasianet", "en"),
    ("Kloop", "kloop", "ru"),
    ("Reuters", "reuters", "en"),
    ("Agence France-Presse", "afp", "fr"),
    ("Deutsche Welle", "dw", "de"),
    ("Il Post", "ilpost", "it"),
    ("Digi24", "digi24", "ro"),
]
ORGANISATIONS = [
    "Kazakhstan International Bureau for Human Rights",
    "Go by the Forest",
    "Idite Lesom",
    "Memorial Human Rights Defence Centre",
    "Civic Assistance Committee",
    "Kovcheg",
    "Get Lost",
    "Russian Asylum Network",
    "Adilet Legal Clinic",
]
LAWYERS = [
    "Artur Alkhastov",
    "Aina Shormanbaeva",
    "Gulnara Bazhkenova",
    "Nurlan Beisekeev",
    "Elena Nikolaeva",
    "Dmitry Zakhvatov",
    "Ilya Novikov",
    "Bakhytzhan Toregozhina",
    "Marat Aitmagambetov",
    "Tatiana Chernova",
]
ROLES = ["lawyer", "lawyer", "organisation", "relative", "journalist"]

_WORD_TEXT = (
    "army front service unit order refusal mobilisation border crossing court appeal ruling "
    "prosecutor investigator detention custody hearing asylum refugee status application "
    "decision migration office police station airport checkpoint train night weeks months "
    "family wife brother mother lawyer organisation volunteers shelter apartment city region "
    "criminal case desertion treason article charges penalty years imprisonment wanted list "
    "interpol notice extradition request embassy consulate passport visa residence permit "
    "expired renewal refused granted pending review documents evidence witnesses testimony "
    "statement interview journalists reported confirmed according sources published video "
    "letter protest rally activist opposition journalist soldier officer contract battalion "
    "regiment training ammunition wounded hospital treatment discharge leave escape fled "
    "crossed reached arrived stayed worked moved hid waited applied challenged dismissed "
    "upheld overturned released transferred deported expelled handed returned vanished "
    "threatened pressure surveillance summons phone calls messages relatives visited home"
)
_WORDS = _WORD_TEXT.split()


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, 6, 16) for _ in range(sentences))


def _wrap(text: str, width: int = 88) -> str:
    """Break a paragraph into lines of at most ``width`` characters (for multi-line strings)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return "\n".join(lines)


# --- dates -----------------------------------------------------------------------------------

_MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _from_ordinal(day: int) -> tuple[int, int, int]:
    import datetime as dt

    date = dt.date.fromordinal(day)
    return date.year, date.month, date.day


def _date_text(rng: random.Random, day: int, *, exact: bool = False) -> str:
    """An EDTF date for the ordinal ``day``: full, month or year precision, maybe ``?``/``~``.

    ``exact`` keeps day precision (the latest outcome event must sort after every earlier
    event, whatever their precision).
    """
    year, month, mday = _from_ordinal(day)
    roll = rng.random()
    if exact or roll < 0.6:
        text = f"{year:04d}-{month:02d}-{mday:02d}"
    elif roll < 0.85:
        text = f"{year:04d}-{month:02d}"
    else:
        text = f"{year:04d}"
    qualifier = rng.random()
    if qualifier < 0.08:
        text += "?"
    elif qualifier < 0.14:
        text += "~"
    elif qualifier < 0.16:
        text += "%"
    return text


# --- one case ------------------------------------------------------------------------------


def _q(text: str) -> str:
    """A one-line TOML basic string (the generator never produces quotes or backslashes)."""
    return f'"{text}"'


def _array(items: list[str]) -> str:
    return "[" + ", ".join(_q(item) for item in items) + "]"


class _Namer:
    """Case index -> a unique surname stem (a bijection scrambled by a multiplier).

    ``person`` decides who case ``index`` is; ``case_id`` makes its id. The name-collision
    generator (``collide.py``) replaces both to make names repeat as real ones do.
    """

    def __init__(self, n: int, seed: int) -> None:
        self.syllables = max(3, math.ceil(math.log(max(n, 2), len(_SYLLABLES))))
        self.space = len(_SYLLABLES) ** self.syllables
        # 65 = 5 * 13: a multiplier prime to both keeps index -> number a bijection.
        self.multiplier = 7_919 * 1_009
        self.offset = (seed * 104_729) % self.space

    def person(self, index: int, rng: random.Random) -> tuple[str, str, bool, tuple, int, str]:
        """(stem, Cyrillic stem, female, given name entry, surname form, script of the
        name): a new person per case, the name written in Latin letters."""
        stem, stem_cyr = self.stem(index)
        female = rng.random() < 0.22
        given = rng.choice(_FEMALE_GIVEN if female else _MALE_GIVEN)
        form = rng.randrange(len(_MALE_SUFFIXES))
        return stem, stem_cyr, female, given, form, "latin"

    def case_id(self, base: str, index: int) -> str:
        """The id of case ``index`` (``surname-given``: unique, as every name is)."""
        return base

    def stem(self, index: int) -> tuple[str, str]:
        number = (index * self.multiplier + self.offset) % self.space
        latin = []
        for _ in range(self.syllables):
            number, digit = divmod(number, len(_SYLLABLES))
            latin.append(_SYLLABLES[digit])
        text = "".join(latin)
        return text, "".join(_CYRILLIC[c] for c in text)


def _case(index: int, seed: int, namer: _Namer) -> tuple[str, str, str]:
    """(id, status, file text) of case ``index``."""
    rng = random.Random(f"exilecases-bench/{seed}/{index}")
    stem, stem_cyr, female, (given, given_cyr, spellings), form, script = namer.person(index, rng)
    suffix, suffix_cyr = (_FEMALE_SUFFIXES if female else _MALE_SUFFIXES)[form]
    surname = (stem + suffix).capitalize()
    case_id = namer.case_id(f"{surname.lower()}-{given.lower()}", index)
    name = f"{given} {surname}"
    if script == "cyrillic":
        cyr = stem_cyr + suffix_cyr
        name = f"{given_cyr} {cyr[0].upper()}{cyr[1:]}"
    elif script == "variant" and spellings:
        name = f"{spellings[0]} {surname}"

    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    host = rng.choices(list(HOSTS), weights=HOST_WEIGHTS)[0]
    cities, authorities = HOSTS[host]
    origin = rng.choices([o for o, _ in ORIGINS], weights=[w for _, w in ORIGINS])[0]

    out: list[str] = [f"id = {_q(case_id)}", f"name = {_q(name)}"]
    if rng.random() < 0.6:
        cyr = stem_cyr + suffix_cyr
        out.append(f"name_original = {_q(given_cyr + ' ' + cyr[0].upper() + cyr[1:])}")
    if spellings and rng.random() < 0.5:
        chosen = rng.sample(spellings, k=rng.randint(1, min(2, len(spellings))))
        out.append(f"aliases = {_array([f'{s} {surname}' for s in chosen])}")
    if rng.random() < 0.7:
        year = rng.randint(1965, 2004)
        out.append(
            f"born = {_q(rng.choice([str(year), f'{year}?', f'{year}-{rng.randint(1, 12):02d}']))}"
        )
    out.append(f"citizenship = {_array([origin])}")
    out.append(f"origin_country = {_q(origin)}")
    out.append(f"host_country = {_q(host)}")
    out.append(f"categories = {_array(rng.sample(CATEGORIES, k=rng.randint(1, 3)))}")
    out.append(f"status = {_q(status)}")
    if rng.random() < 0.6:
        out.append(f"risk = {_q(f'Up to {rng.randint(2, 20)} years of imprisonment if returned')}")
    if rng.random() < 0.75:
        out.append(f'summary = """\n{_wrap(_paragraph(rng, rng.randint(2, 5)))}\n"""')

    # Sources first (the tables that cite them need their ids).
    source_ids: list[str] = []
    source_blocks: list[str] = []
    start = rng.randint(735_600, 738_520)  # 2015-01 .. 2023-01 as date ordinals
    for number, (outlet, slug, language) in enumerate(
        rng.sample(OUTLETS, k=rng.randint(1, 3)), start=1
    ):
        source_id = f"{slug}-{number}"
        source_ids.append(source_id)
        published = start + rng.randint(30, 900)
        year, month, mday = _from_ordinal(published)
        lines = [
            "[[sources]]",
            f"id = {_q(source_id)}",
            f"outlet = {_q(outlet)}",
            f"title = {_q(_sentence(rng, 5, 11)[:-1])}",
            f'url = "https://{slug}.example.org/{year}/{month:02d}/{case_id}-{number}"',
        ]
        if rng.random() < 0.3:
            lines.append(
                f'archive_url = "https://web.archive.org/web/{year}{month:02d}{mday:02d}/'
                f'https://{slug}.example.org/{year}/{month:02d}/{case_id}-{number}"'
            )
        lines.append(f'published = "{year:04d}-{month:02d}-{mday:02d}"')
        lines.append(f"language = {_q(language)}")
        if rng.random() < 0.7:
            lines.append(f"confidence = {_q(rng.choice(['high', 'medium', 'medium', 'low']))}")
        source_blocks.append("\n".join(lines))

    def cite() -> str:
        return _array(rng.sample(source_ids, k=rng.randint(1, len(source_ids))))

    # Charges.
    charge_blocks = []
    for basis in rng.sample(LEGAL_BASES, k=rng.choice([0, 1, 1, 1, 2, 2, 3])):
        lines = ["[[charges]]", f"basis = {_q(basis)}"]
        if rng.random() < 0.6:
            lines.append(f"date = {_q(_date_text(rng, start + rng.randint(0, 400)))}")
        if rng.random() < 0.5:
            lines.append(f"note = {_q(_sentence(rng, 6, 18))}")
        lines.append(f"sources = {cite()}")
        charge_blocks.append("\n".join(lines))

    # Events: an opening, the path to the status (fillers in between), maybe an epilogue.
    path = PATHS[status]
    opening = rng.randint(1, 3)
    steps: list[tuple[str, str | None]] = [(t, None) for t in OPENING[:opening]]
    body = list(path)
    room = 8 - opening - len(path)  # at most 8 events in all
    for _ in range(rng.randint(0, min(2, room))):
        body.insert(rng.randint(0, len(body) - 1), (rng.choice(FILLERS), None))
    steps += body
    last_outcome = len(steps) - 1
    if len(steps) < 8 and rng.random() < 0.25:
        steps.append((rng.choice(AFTERWARDS), None))
    event_blocks = []
    day = start
    for position, (event_type, outcome) in enumerate(steps):
        day += rng.randint(12, 160)
        lines = [
            "[[events]]",
            f"date = {_q(_date_text(rng, day, exact=position == last_outcome))}",
            f"type = {_q(event_type)}",
        ]
        if rng.random() < 0.5:
            lines.append(f"place = {_q(rng.choice(cities))}")
        if outcome is not None or rng.random() < 0.2:
            lines.append(f"authority = {_q(rng.choice(authorities))}")
        if outcome is not None:
            lines.append(f"outcome = {_q(outcome)}")
        if rng.random() < 0.7:
            lines.append(f"note = {_q(_sentence(rng, 8, 24))}")
        if outcome is not None or rng.random() < 0.8:
            lines.append(f"sources = {cite()}")
        event_blocks.append("\n".join(lines))

    contact_blocks = []
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        role = rng.choice(ROLES)
        lines = ["[[contacts]]"]
        if role == "organisation":
            lines += [f"name = {_q(rng.choice(ORGANISATIONS))}", 'role = "organisation"']
        elif role == "relative":
            family = stem.capitalize() + _FEMALE_SUFFIXES[form][0]
            relative = f"{rng.choice(_FEMALE_GIVEN)[0]} {family}"
            lines += [f"name = {_q(relative)}", 'role = "relative"', "private = true"]
        else:
            lines += [f"name = {_q(rng.choice(LAWYERS))}", f"role = {_q(role)}"]
            if rng.random() < 0.5:
                lines.append(f"organisation = {_q(rng.choice(ORGANISATIONS))}")
        contact_blocks.append("\n".join(lines))

    # Format 2: about 3 cases in 10 have a proceeding with one or two deadlines in
    # 2025-2027, so that `due` has rows to choose from (drawn last: the rest is unchanged).
    proceeding_blocks, deadline_blocks = [], []
    if rng.random() < 0.3:
        kind = rng.choice(["asylum", "extradition", "expulsion", "un_communication"])
        proceeding_blocks.append(
            f"[[proceedings]]\nid = {_q(kind)}\ntype = {_q(kind)}\n"
            f"authority = {_q(rng.choice(authorities))}"
        )
        for _ in range(rng.randint(1, 2)):
            due = _date_text(rng, rng.randint(739_252, 740_347))  # 2025-01-01 .. 2027-12-31
            deadline = rng.choice(["appeal", "leave_country", "detention_limit", "submission"])
            lines = ["[[deadlines]]", f"due = {_q(due)}", f"type = {_q(deadline)}"]
            lines += [f"proceeding = {_q(kind)}", f"what = {_q(_sentence(rng, 4, 10))}"]
            if rng.random() < 0.2:
                lines.append('state = "met"')
            deadline_blocks.append("\n".join(lines))

    blocks = [
        "\n".join(out),
        *charge_blocks,
        *proceeding_blocks,
        *event_blocks,
        *deadline_blocks,
        *source_blocks,
        *contact_blocks,
    ]
    if rng.random() < 0.2:
        blocks.append(
            "[private]\n"
            f'notes = "Reachable through {rng.choice(LAWYERS)}; address known to the editors"'
        )
    return case_id, status, "\n\n".join(blocks) + "\n"


def generate(
    root: Path, n: int, seed: int = 0, namer: Callable[[int, int], _Namer] | None = None
) -> dict[str, int]:
    """Write ``n`` synthetic cases to ``root/data/cases/``; returns the count per status.

    Existing ``*.toml`` files in that folder are removed first, so the repository holds
    exactly the generated cases. ``namer`` (given ``n`` and ``seed``) decides who each case
    is: by default every name is unique.
    """
    _namer = namer or _Namer
    root = Path(root)
    folder = root / "data" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.toml"):
        old.unlink()
    (root / ".gitignore").write_text(".exilecases/\n", encoding="utf-8")
    namer = _namer(n, seed)
    counts: dict[str, int] = {}
    for index in range(n):
        case_id, status, text = _case(index, seed, namer)
        counts[status] = counts.get(status, 0) + 1
        with open(folder / f"{case_id}.toml", "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the case repository to write (data/cases/)")
    parser.add_argument("n", type=int, help="how many cases")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    counts = generate(args.root, args.n, args.seed)
    seconds = time.perf_counter() - began
    mix = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    print(f"{args.n:,} cases in {args.root / 'data' / 'cases'} ({seconds:.1f} s): {mix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
