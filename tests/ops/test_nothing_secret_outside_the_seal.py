"""A sealed repository keeps nothing secret outside the sealed block (privacy.md), through
the library: E093, `seal` and `fmt` moving what they can into the sealed part, `fmt`
merging into a block it can open and leaving alone one it cannot, and a change of keys
that an edit waiting for the lock follows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyrage
import pytest

from exilecases.errors import ExilecasesError
from exilecases.ops.seal import Keys, load_keys, private_change, seal_text, set_private_text
from exilecases.repository import Repository
from exilecases.store.keys import new_identity, parse_identities

CASE = """\
id = "petrov-ivan"
name = "Ivan Petrov"
# from his passport
born = "1993-05-14"  # day and month certain
origin_country = "RU"
host_country = "KZ"
status = "at_risk"
risk = "SECRET-RISK"
private_fields = ["risk", "events.place"]

[[events]]
date = "2024"
type = "arrival"
place = "SECRET-PLACE"

[[contacts]]
name = "SECRET-SISTER"
role = "relative"
private = true  # never call her
"""


def make_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...] = ("aida",)):
    """A sealed repository (one key per name) whose identity is the first name's; returns
    the repository and the public keys by name."""
    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    publics = {name: new_identity(tmp_path / "keys" / f"{name}.txt") for name in names}
    lines = [f'[[recipients]]\nname = "{n}"\nkey = "{k}"\n' for n, k in publics.items()]
    (root / "data" / "recipients.toml").write_text("\n".join(lines))
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "keys" / f"{names[0]}.txt"))
    return Repository(root), publics


def opened(path: Path, identity: Path) -> str:
    """The plaintext sealed in a case file, opened with the identity file at ``identity``."""
    keys = parse_identities(identity.read_bytes(), identity)
    block = tomllib.loads(path.read_text())["sealed"]["age"]
    return pyrage.decrypt(block.encode(), keys.keys).decode()


def codes(findings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in findings]


def test_a_private_value_outside_the_sealed_block_is_an_error_with_its_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = make_team(tmp_path, monkeypatch)
    (repo.root / "data" / "vocabulary.toml").write_text('[fields]\nprivate = ["summary"]\n')
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE.replace('status = "at_risk"\n', 'status = "at_risk"\nsummary = "S"\n'))
    found = [f for f in repo.check() if f.code == "E093"]
    assert codes(found) == [(4, "E093"), (8, "E093"), (9, "E093"), (15, "E093"), (20, "E093")]
    born, summary, risk, place, sister = (f.message for f in found)
    assert born.startswith("`born` is private (a default rule) but stands outside [private]")
    assert "run `exilecases seal` (or `exilecases fmt`)" in born
    assert risk.startswith("`risk` is private (its private_fields)")
    assert summary.startswith("`summary` is private ([fields] private in data/vocabulary.toml)")
    assert place.startswith("`place` of [[events]] entry 1 is private (its private_fields)")
    assert "make the entry private (move it to [[private.events]] with `exilecases private " \
        "edit petrov-ivan`) or move the detail into [private]" in place  # fmt: skip
    assert sister.startswith("[[contacts]] entry 1 is marked private = true")
    assert "run `exilecases fmt`" in sister
    # a key spelt with escapes is the same key
    escaped = CASE.split("[[events]]")[0].replace("petrov-ivan", "sidorov-oleg")
    escaped = escaped.replace("born =", '"b\\u006frn" =').replace("private_fields", "# ")
    (repo.root / "data" / "cases" / "sidorov-oleg.toml").write_text(escaped)
    assert [f.line for f in repo.check() if f.code == "E093" and "sidorov" in f.path] == [4]
    (repo.root / "data" / "cases" / "sidorov-oleg.toml").unlink()
    # no value is ever in a message (findings reach logs)
    assert not any("SECRET" in f.message or "1993" in f.message for f in repo.check())
    # a required field a rule names cannot be sealed: the message says what to do instead
    (repo.root / "data" / "vocabulary.toml").write_text('[fields]\nprivate = ["status"]\n')
    repo = Repository(repo.root)
    (status,) = [f for f in repo.check() if f.message.startswith("`status`")]
    assert "the format requires it outside [private], so it cannot be sealed" in status.message
    assert status.message.endswith("(private.status)")
    # the same file in a repository without keys is fine: the public view hides the values
    (repo.root / "data" / "recipients.toml").unlink()
    assert not [f for f in Repository(repo.root).check() if f.code == "E093"]


def test_seal_moves_top_level_private_fields_into_the_sealed_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = make_team(tmp_path, monkeypatch)
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE)
    report = repo.seal()
    assert report.sealed == ["data/cases/petrov-ivan.toml"] and not report.failed
    (moved,) = report.moved["data/cases/petrov-ivan.toml"]
    assert moved.startswith("moved `born`, `risk` from the top level into [private]")
    text = path.read_text()
    assert "1993" not in text and "SECRET-RISK" not in text and "[private]" not in text
    plain = opened(path, tmp_path / "keys" / "aida.txt")
    # the comments went with the values into the sealed part
    assert '# from his passport\nborn = "1993-05-14"  # day and month certain\n' in plain
    assert tomllib.loads(plain)["private"] == {"born": "1993-05-14", "risk": "SECRET-RISK"}
    whole = repo.case("petrov-ivan", private=True)
    assert whole["private"]["born"] == "1993-05-14" and "born" not in whole
    # what seal cannot move is left and reported by check: an entry's field, a marked entry
    assert [f.line for f in repo.check() if f.code == "E093"] == [
        n + 1 for n, ln in enumerate(text.split("\n")) if ln.startswith(("place", "private ="))
    ]
    # sealing again changes nothing and needs no identity
    before = path.read_bytes()
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "nobody.txt"))
    again = Repository(repo.root).seal()
    assert again.changed == [] and again.moved == {} and path.read_bytes() == before


def test_moving_into_a_block_that_is_sealed_already_keeps_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = make_team(tmp_path, monkeypatch)
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE.split("[[contacts]]")[0].replace('born = "1993-05-14"', 'born = "1993"'))
    repo.set("petrov-ivan", "private.notes", "SECRET-NOTES")
    assert "[sealed]" in path.read_text() and 'born = "1993"' in path.read_text()
    report = repo.seal()
    assert report.sealed == ["data/cases/petrov-ivan.toml"]
    private = tomllib.loads(opened(path, tmp_path / "keys" / "aida.txt"))["private"]
    assert private == {"notes": "SECRET-NOTES", "born": "1993", "risk": "SECRET-RISK"}
    # a value [private] holds already with another value is never overwritten: it stays,
    # with a line saying why
    text = path.read_text().replace('status = "at_risk"\n', 'status = "at_risk"\nborn = "1994"\n')
    path.write_text(text)
    report = repo.seal()
    assert report.changed == [] and not report.failed
    (line,) = report.moved["data/cases/petrov-ivan.toml"]
    assert line.startswith("left `born` at the top level: [private] holds a `born` of its own")
    assert path.read_text() == text


def test_fmt_merges_migrated_entries_into_the_sealed_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = make_team(tmp_path, monkeypatch)
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    text = CASE.replace('private_fields = ["risk", "events.place"]\n', "")
    text += '\n[private]\n# kept\nnotes = "SECRET-NOTES"\n'
    sealed, _ = seal_text(text, load_keys(repo.root), "x")  # sealed as an older version did
    path.write_text(sealed)
    assert [r.changed for r in repo.fmt(check=True)] == [True]
    (result,) = repo.fmt()
    assert result.ok and result.changed
    assert result.messages == [
        "moved 1 contact marked private = true from [[contacts]] to [[private.contacts]]",
        "moved `born` from the top level into [private] (a redaction rule keeps it private, "
        "and a sealed repository keeps nothing private outside the sealed block)",
        "sealed its private part for aida",
    ]
    text = path.read_text()
    assert "[private]" not in text and "SECRET-SISTER" not in text and "1993" not in text
    plain = opened(path, tmp_path / "keys" / "aida.txt")
    private = tomllib.loads(plain)["private"]
    assert private["notes"] == "SECRET-NOTES" and private["born"] == "1993-05-14"
    assert private["contacts"] == [{"name": "SECRET-SISTER", "role": "relative"}]
    assert "# kept\nnotes" in plain and "# never call her" in plain  # every comment kept
    assert not [f for f in repo.check() if f.severity == "error"]
    # formatting again changes nothing: the block keeps its ciphertext
    before = path.read_bytes()
    assert [r.changed for r in repo.fmt()] == [False] and path.read_bytes() == before


@pytest.mark.parametrize("who", ["nobody", "stranger"])
def test_fmt_leaves_a_sealed_file_it_cannot_open_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    repo, _ = make_team(tmp_path, monkeypatch)
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE)
    repo.set("petrov-ivan", "private.notes", "SECRET-NOTES")
    before = path.read_bytes()
    if who == "stranger":
        new_identity(tmp_path / "keys" / "stranger.txt")
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "keys" / f"{who}.txt"))
    (result,) = Repository(repo.root).fmt()
    assert not result.ok and result.sealed_shut and not result.changed
    assert result.reason.startswith("it has private data to merge into its sealed private part")
    assert result.reason.endswith("fmt never writes plaintext in a sealed repository")
    assert ("does not exist" if who == "nobody" else "cannot open") in result.reason
    assert path.read_bytes() == before
    # --check opens nothing and says the file would change
    assert [r.changed for r in Repository(repo.root).fmt(check=True)] == [True]


def test_an_edit_waiting_for_the_lock_seals_for_the_keys_after_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, publics = make_team(tmp_path, monkeypatch, ("aida", "boris"))
    path = repo.root / "data" / "cases" / "petrov-ivan.toml"
    path.write_text(CASE.split("[[events]]")[0])
    repo.set("petrov-ivan", "private.notes", "old")
    rel = "data/cases/petrov-ivan.toml"
    # an edit that read the keys (Aida and Boris) before Boris was removed...
    early: Keys = load_keys(repo.root)
    assert len(early.recipients) == 2
    change = private_change(
        early, rel, "petrov-ivan", lambda t: set_private_text(t, "notes", "NEW"), repo.vocabulary
    )
    removal = repo.remove_key("boris")
    assert removal.report.resealed == [rel] and removal.removed.name == "boris"
    # ...and got the lock only afterwards seals for the keys listed now
    repo.edit("petrov-ivan", change)
    assert "NEW" in opened(path, tmp_path / "keys" / "aida.txt")
    with pytest.raises(pyrage.DecryptError):
        opened(path, tmp_path / "keys" / "boris.txt")
    with pytest.raises(ExilecasesError, match="the only key"):
        repo.remove_key("aida")
    with pytest.raises(ExilecasesError, match="listed: 'aida'"):
        repo.remove_key("boris")
    # adding is the same one step: the new member reads every sealed file at once
    carol = new_identity(tmp_path / "keys" / "carol.txt")
    assert repo.add_key("carol", carol).report.resealed == [rel]
    assert "NEW" in opened(path, tmp_path / "keys" / "carol.txt")
    with pytest.raises(ExilecasesError, match="with this key already"):
        repo.add_key("carol two", carol)
    assert publics["boris"] not in (repo.root / "data" / "recipients.toml").read_text()
