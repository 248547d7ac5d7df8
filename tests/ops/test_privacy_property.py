"""The privacy property (privacy.md, Rule 1): a unique secret in every private place of a
case repository, and not one byte of any secret in anything the tool publishes or writes
into git: exports of every format and table, the default output of list, search and stats in
every format, --commit messages, log, diff, the git diff driver, and the index files.

Also the computations: a private event's date and outcome select, count and change nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from conftest import FIXTURES
from exilecases.cli import app

CASE_ID = "secret-keeper"

#: One unique secret per private place (letters only, so search sees one word each).
SECRETS: dict[str, str] = {
    "private.notes": "QXprivnotesQX",
    "private.phone": "QXprivphoneQX",
    "private.contacts.name": "QXroomcontactQX",
    "private.contacts.phone": "QXroomcontactphoneQX",
    "private.events.note": "QXroomeventnoteQX",
    "private.events.place": "QXroomeventplaceQX",
    "private.sources.title": "QXroomsourcetitleQX",
    "private.sources.url": "https://example.org/QXroomsourceurlQX",
    "format1.contacts.name": "QXmarkedcontactQX",
    "format1.events.note": "QXmarkedeventnoteQX",
    "format1.sources.title": "QXmarkedsourcetitleQX",
    "format1.sources.id": "qxmarkedsourceidqx",
    "case.private_fields.risk": "QXcaseriskQX",
    "case.private_fields.events.authority": "QXcaseauthorityQX",
    "repo.fields.summary": "QXreposummaryQX",
    "repo.fields.events.place": "QXrepoplaceQX",
    "born": "1931-07-19",
    "top.phone": "QXtopphoneQX",
    "top.email": "qxtopemailqx@example.org",
    "top.address": "QXtopaddressQX",
    "top.passport": "QXtoppassportQX",
    "contacts.phone": "QXcontactphoneQX",
    "contacts.email": "qxcontactemailqx@example.org",
    "events.address": "QXeventaddressQX",
    # Written later through --commit: a new born, a case-private risk, a repo-private place.
    "commit.born": "1932-08-20",
    "commit.risk": "QXcommitriskQX",
    "commit.place": "QXcommitplaceQX",
    # Written later by hand and committed with git.
    "hand.private.notes": "QXhandnotesQX",
    "hand.risk": "QXhandriskQX",
}
#: The years only private events have: no public count or selection may show them.
PRIVATE_YEARS = ("2028", "2029")

VOCABULARY = '[fields]\nprivate = ["summary", "events.place"]\n'


def case_text(s: dict[str, str]) -> str:
    """The secret case, in format 1 and 2 at once (every private place filled)."""

    def q(key: str) -> str:
        return json.dumps(s[key], ensure_ascii=False)

    return f"""id = "{CASE_ID}"
name = "Keeper Publicname"
born = {q("born")}
origin_country = "RU"
host_country = "KZ"
categories = ["deserter"]
status = "detained"
risk = {q("case.private_fields.risk")}
summary = {q("repo.fields.summary")}
private_fields = ["risk", "events.authority"]
phone = {q("top.phone")}
email = {q("top.email")}
address = {q("top.address")}
passport = {q("top.passport")}

[[charges]]
basis = "RU-CC-338"

[[events]]
date = "2024-02"
type = "arrival"
place = {q("repo.fields.events.place")}
authority = {q("case.private_fields.events.authority")}
sources = ["public-src", {q("format1.sources.id")}]

[[events]]
date = "2024-05"
type = "detention"
outcome = "detained"
address = {q("events.address")}
sources = ["public-src"]

[[events]]
date = "2028-06"
type = "release"
outcome = "released"
note = {q("format1.events.note")}
sources = ["public-src"]
private = true

[[sources]]
id = "public-src"
outlet = "Public Outlet"

[[sources]]
id = {q("format1.sources.id")}
title = {q("format1.sources.title")}
private = true

[[contacts]]
name = "Open Lawyer"
role = "lawyer"
phone = {q("contacts.phone")}
email = {q("contacts.email")}

[[contacts]]
name = {q("format1.contacts.name")}
role = "relative"
private = true

[private]
status = "left_country"
notes = {q("private.notes")}
phone = {q("private.phone")}

[[private.contacts]]
name = {q("private.contacts.name")}
phone = {q("private.contacts.phone")}

[[private.events]]
date = "2029-04"
type = "departure"
outcome = "left_country"
place = {q("private.events.place")}
note = {q("private.events.note")}

[[private.sources]]
id = "room-src"
title = {q("private.sources.title")}
url = {q("private.sources.url")}
"""


# --- running things ------------------------------------------------------------------------


_RUNNER = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def invoke(root: Path, *args: str) -> Result:
    """One exilecases command run in this process (it must exit 0). git runs the diff
    driver as its own process (``python -m exilecases``, as init installs it)."""
    result = _RUNNER.invoke(app, [*args, "--root", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stderr)
    return result


def run(root: Path, *args: str) -> bytes:
    """Every byte a command printed: standard output and standard error."""
    result = invoke(root, *args)
    return result.stdout_bytes + result.stderr_bytes


def stdout(root: Path, *args: str) -> str:
    return invoke(root, *args).stdout


def git(root: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=True)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def secret_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An ``exilecases init`` repository (diff driver installed) with the secret case,
    committed once by hand, then edited through --commit and by hand again; no user or
    system git configuration. Shared by the tests of this module, which only read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.delenv("EXILECASES_NO_CACHE", raising=False)
        for name in ("AUTHOR", "COMMITTER"):
            patch.setenv(f"GIT_{name}_NAME", "Jane Doe")
            patch.setenv(f"GIT_{name}_EMAIL", "jane@example.org")
        yield _build(tmp_path_factory.mktemp("secret"))


def _build(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    subprocess.run(
        [sys.executable, "-m", "exilecases", "init", str(root)], check=True, capture_output=True
    )
    (root / "data" / "vocabulary.toml").write_text(VOCABULARY, encoding="utf-8")
    cases = root / "data" / "cases"
    (cases / f"{CASE_ID}.toml").write_text(case_text(SECRETS), encoding="utf-8")
    (cases / "gusev-maksim.toml").write_text(
        (FIXTURES / "valid" / "gusev-maksim.toml").read_text("utf-8"), encoding="utf-8"
    )
    assert b"0 errors" in run(root, "validate")
    # The hook refuses files `fmt` would change, and fmt would move the format-1 entries
    # into [private]: a clone has no hooks, so this repository keeps both formats.
    (root / ".git" / "hooks" / "pre-commit").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "add the cases")
    run(root, "set", CASE_ID, "born", SECRETS["commit.born"], "--commit")
    run(root, "set", CASE_ID, "risk", SECRETS["commit.risk"], "--commit")
    run(
        root,
        "event",
        "add",
        CASE_ID,
        "--date",
        "2024-06",
        "--type",
        "court_ruling",
        "--place",
        SECRETS["commit.place"],
        "--commit",
    )
    path = cases / f"{CASE_ID}.toml"
    text = path.read_text("utf-8")
    text = text.replace(SECRETS["private.notes"], SECRETS["hand.private.notes"])
    text = text.replace(SECRETS["commit.risk"], SECRETS["hand.risk"])
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "--no-verify", "-am", "by hand")
    # One more uncommitted edit, for diff and the diff driver against the working tree.
    path.write_text(text.replace('status = "detained"', 'status = "released"'), "utf-8")
    return root


#: Commands that publish data or write into git: each is run with every format. ``due``
#: (the deadlines of format 2) joins these when it exists: add ("due",), ("due",
#: "--format", "json"), ("due", "--format", "ics", ...) here.
DUE_COMMANDS: list[tuple[str, ...]] = []
LIST_LIKE: list[tuple[str, ...]] = [
    ("list",),
    ("list", "--format", "json"),
    ("list", "--format", "csv"),
    ("list", "--as-of", "2031", "--format", "json"),
    ("list", "--since", "2024", "--format", "csv"),
    ("show", CASE_ID, "--format", "json"),
    ("show", CASE_ID, "--format", "toml"),
    ("show", CASE_ID, "--public"),
    *DUE_COMMANDS,
]
STATS_FIELDS = ("status", "outcome", "basis", "category", "origin", "host", "year")
HISTORY: list[tuple[str, ...]] = [
    ("log", CASE_ID),
    ("log", CASE_ID, "--format", "json"),
    ("diff",),
    ("diff", "--format", "json"),
    ("diff", "HEAD~4"),
    ("diff", "HEAD~4", "HEAD", "--format", "json"),
]


def every_public_byte(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """Every output the property covers, by a name saying where it came from."""
    found: dict[str, bytes] = {}
    for args in [*LIST_LIKE, *HISTORY]:
        found[" ".join(args)] = run(root, *args)
    for field in STATS_FIELDS:
        for output in ("table", "json", "csv"):
            args = ("stats", "--by", field, "--format", output)
            found[" ".join(args)] = run(root, *args)
    found["stats year departure"] = run(
        root, "stats", "--by", "year", "--event", "departure", "--format", "json"
    )
    found["stats cross"] = run(root, "stats", "--by", "status", "--by", "year")
    for query in ["Keeper Publicname", "lawyer deserter", *SECRETS.values()]:
        for output in ("table", "json", "csv") if " " in query else ("json",):
            hits = run(root, "search", query, "--format", output, "--min-score", "0")
            found[f"search {query} {output}"] = hits
    for public in ((), ("--public",)):
        for fmt, tables in (
            ("json", [None]),
            ("csv", [None, "events", "charges", "sources", "contacts"]),
        ):
            for table in tables:
                args = ("export", "--format", fmt, *(("--table", table) if table else ()))
                found[" ".join(args + public)] = run(root, *args, *public)
        target = tmp_path / f"export{len(public)}.sqlite"
        found[f"export sqlite {public}"] = run(
            root, "export", "--format", "sqlite", "-o", str(target), *public
        )
        for extra in ("", "-wal", "-journal", "-shm"):
            companion = Path(f"{target}{extra}")
            if companion.exists():
                found[companion.name] = companion.read_bytes()
        assert target.exists()
    found["git log messages"] = git(root, "log", "--format=%B")
    found["git diff (driver)"] = git(root, "diff")
    found["git log -p (driver)"] = git(root, "log", "-p")
    for folder in (root / ".git" / "exilecases", root / ".exilecases"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found[f"index {path.relative_to(root)}"] = path.read_bytes()
    return found


def leaks(outputs: dict[str, bytes], secrets: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (where, name)
        for where, data in outputs.items()
        for name, secret in secrets.items()
        if secret.encode("utf-8") in data
    ]


# --- the property ------------------------------------------------------------------------


def test_no_secret_reaches_any_public_byte(secret_repo: Path, tmp_path: Path) -> None:
    outputs = every_public_byte(secret_repo, tmp_path)
    index_files = [name for name in outputs if name.startswith("index ")]
    assert index_files, "the test must see the index"
    assert leaks(outputs, SECRETS) == []
    # The control: --private and the terminal view of show do hold them, so the test bites.
    private = run(secret_repo, "export", "--private")
    shown = run(secret_repo, "show", CASE_ID)
    for name in ("private.events.note", "format1.contacts.name", "hand.private.notes"):
        assert SECRETS[name].encode() in private, name
        assert SECRETS[name].encode() in shown, name
    assert b"(private)" in shown
    assert b"--private" in private and b"do not publish" in private


def test_the_commit_messages_name_the_private_changes_without_values(secret_repo: Path) -> None:
    messages = git(secret_repo, "log", "--format=%s").decode().splitlines()
    assert messages[1:4] == [
        # The place of the new event is private by the repository's rule.
        f"{CASE_ID}: events + 2024-06 court_ruling; events changed (private, not shown)",
        f"{CASE_ID}: risk changed (private, not shown)",
        f"{CASE_ID}: born changed (private, not shown)",
    ]


def test_private_events_select_count_and_change_nothing(secret_repo: Path) -> None:
    (row,) = [
        c for c in json.loads(stdout(secret_repo, "list", "--format", "json")) if c["id"] == CASE_ID
    ]
    assert row["status"] == "released"  # the working tree's public status, not private.status
    as_of = json.loads(stdout(secret_repo, "list", "--as-of", "2031", "--format", "json"))
    assert {c["id"]: c["status"] for c in as_of}[CASE_ID] == "detained"
    assert "left_country" not in json.dumps(as_of)
    for since in PRIVATE_YEARS:
        assert json.loads(stdout(secret_repo, "list", "--since", since, "--format", "json")) == []
        exported = json.loads(stdout(secret_repo, "export", "--since", since))
        assert exported == []
    years = json.loads(stdout(secret_repo, "stats", "--by", "year", "--format", "json"))
    assert {row["year"] for row in years["rows"]} == {2024, None}
    departures = json.loads(
        stdout(secret_repo, "stats", "--by", "year", "--event", "departure", "--format", "json")
    )
    # --event counts events: the private departures are not there to count.
    assert departures["rows"] == [] and departures["total"] == 0
    # With --private the user's own computations see the private events.
    mine = json.loads(
        stdout(secret_repo, "list", "--since", "2029", "--format", "json", "--private")
    )
    assert [c["id"] for c in mine] == [CASE_ID]
    real = json.loads(
        stdout(secret_repo, "stats", "--by", "status", "--private", "--format", "json")
    )
    assert {"status": "left_country", "count": 1} in real["rows"]


def test_search_finds_no_private_word_unless_asked(secret_repo: Path) -> None:
    for name in ("private.contacts.name", "format1.events.note", "repo.fields.summary"):
        query = SECRETS[name]
        assert json.loads(stdout(secret_repo, "search", query, "--format", "json")) == []
        hits = json.loads(stdout(secret_repo, "search", query, "--format", "json", "--private"))
        assert [hit["id"] for hit in hits] == [CASE_ID], name


def test_the_same_without_the_index(
    secret_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXILECASES_NO_CACHE", "1")
    found = {}
    for args in [*LIST_LIKE, *HISTORY, ("export",), ("export", "--format", "csv")]:
        found[" ".join(args)] = run(secret_repo, *args)
    for field in STATS_FIELDS:
        found[field] = run(secret_repo, "stats", "--by", field, "--format", "json")
    for query in SECRETS.values():
        found[query] = run(secret_repo, "search", query, "--format", "json", "--min-score", "0")
    assert leaks(found, SECRETS) == []


# --- generated secrets (library level, many examples) --------------------------------------

_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\\\"'"
)
_SECRET = st.text(_ALPHABET, min_size=6, max_size=24).map(lambda t: f"«{t}»")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SECRET, min_size=len(SECRETS), max_size=len(SECRETS), unique=True))
def test_generated_secrets_never_reach_a_public_output(values: list[str]) -> None:
    from exilecases.format.vocabulary import default_vocabulary
    from exilecases.ops.changes import public_changes, render_changes
    from exilecases.ops.export import export_csv, export_json
    from exilecases.ops.history import textconv
    from exilecases.ops.search import searchable
    from exilecases.ops.validate import check_file

    secrets = {**dict(zip(SECRETS, values, strict=True)), "born": "1931-07-19"}
    vocabulary = default_vocabulary()
    vocabulary.private_fields = ["summary", "events.place"]
    text = case_text(secrets)
    check = check_file(text.encode(), f"{CASE_ID}.toml", CASE_ID, vocabulary)
    assert check.case is not None and check.ok, [f.format() for f in check.findings]
    empty = {"id": CASE_ID, "name": "Keeper Publicname", "status": "detained"}
    produced = {
        "json": export_json([check.case], vocabulary),
        "csv": export_csv([check.case], vocabulary),
        **{t: export_csv([check.case], vocabulary, table=t) for t in ("events", "contacts")},
        "changes": "\n".join(render_changes(public_changes(empty, check.case, vocabulary))),
        "textconv": textconv(text, vocabulary),
    }
    from exilecases.format.privacy import public_view

    produced["search"] = json.dumps(searchable(public_view(check.case, vocabulary)))
    found = leaks({k: v.encode() for k, v in produced.items()}, secrets)
    assert found == []
