"""A sealed repository through the command line: `seal` and `fmt` move what must be secret
into the sealed part (a line per file), `fmt` leaves a file it cannot open untouched, the
hook refuses a staged value outside the sealed block, and a change of keys holds the
repository's lock through the re-seal."""

from __future__ import annotations

import subprocess
import time
import tomllib

from test_sealed_repository import EXILECASES, Team, add_cases
from test_sealed_repository import team as team  # the fixture (a re-export)

from exilecases.store.keys import fingerprint, read_recipients
from exilecases.store.write import repository_lock

BORN = "1993-05-14"
SISTER = "SECRET-SISTER-Svetlana"


def with_born(team: Team, case_id: str) -> str:
    """Write ``born`` with its comments into a case, at the top level; the new text."""
    path = team.case(case_id)
    text = path.read_text().replace(
        'status = "at_risk"\n', f'status = "at_risk"\n# from the passport\nborn = "{BORN}"\n'
    )
    path.write_text(text)
    return text


def every_object(team: Team) -> bytes:
    """Every object the commits reach (what a push carries; a blob staged and refused by
    the hook stays in the local object store until git prunes it, and is never pushed)."""
    listed = team.git("rev-list", "--objects", "--all").stdout
    names = "".join(line.split(" ")[0] + "\n" for line in listed.splitlines())
    return subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=team.root,
        input=names.encode(),
        capture_output=True,
        check=True,
    ).stdout


def test_seal_moves_born_into_the_sealed_part_and_the_hook_refuses_it_staged(
    team: Team,
) -> None:
    add_cases(team)
    team.commit("two cases")
    with_born(team, "petrov-ivan")
    checked = team.run("validate", ok=False)
    assert checked.returncode == 1
    assert (
        "data/cases/petrov-ivan.toml:7:1: error E093: `born` is private (a default rule) but "
        "stands outside [private], in plaintext in git: run `exilecases seal`"
    ) in checked.stdout
    # the hook refuses the commit, naming the file, the field and the fix
    team.git("add", "-A")
    refused = team.git("commit", "-q", "-m", "born", ok=False)
    assert refused.returncode != 0
    assert (
        "error: data/cases/petrov-ivan.toml: staged with `born` (a default rule keeps it "
        "private) outside the sealed block, in plaintext (E093); run `exilecases seal`"
    ) in refused.stderr
    sealed = team.run("seal")
    assert sealed.stdout == "sealed data/cases/petrov-ivan.toml\n"
    assert (
        "data/cases/petrov-ivan.toml: moved `born` from the top level into [private]"
    ) in sealed.stderr
    assert BORN not in team.case("petrov-ivan").read_text()
    team.run("validate")
    team.commit("sealed")
    assert BORN.encode() not in every_object(team)
    for who in ("aida", "boris"):
        assert f"born: {BORN}" in team.run("show", "petrov-ivan", who=who).stdout
    assert team.run("seal").stdout == ""  # nothing left to move or seal


def test_fmt_merges_into_the_sealed_block_or_leaves_the_file_as_it_is(team: Team) -> None:
    add_cases(team)
    for case_id in ("petrov-ivan", "sidorov-oleg"):
        team.run("set", case_id, "private.notes", "SECRET-NOTES")
        path = team.case(case_id)
        path.write_text(
            path.read_text().split("\n[sealed]")[0]
            + f'\n\n[[contacts]]\nname = "{SISTER}"\nrole = "relative"\nprivate = true\n'
            + "\n[sealed]"
            + path.read_text().split("\n[sealed]")[1]
        )
    assert "E093" in team.run("validate", ok=False).stdout
    # without an identity: both files left byte for byte, exit 1, the reason and the fix
    before = {c: team.case(c).read_bytes() for c in ("petrov-ivan", "sidorov-oleg")}
    refused = team.run("fmt", who=None, ok=False)
    assert refused.returncode == 1
    assert (
        "data/cases/petrov-ivan.toml: left as it is: it has private data to merge into its "
        "sealed private part (entries marked private = true, or fields a redaction rule keeps "
        "private), but the private part is sealed and you have no identity; `exilecases keys "
        "new` makes one, then a teammate adds you (`exilecases keys add`); fmt never writes "
        "plaintext in a sealed repository\n"
    ) in refused.stderr
    assert "fix it by hand" not in refused.stderr
    assert {c: team.case(c).read_bytes() for c in before} == before
    # a member's identity opens, merges and seals again, a line per file
    done = team.run("fmt", "data/cases/petrov-ivan.toml", who="boris")
    assert done.stderr.splitlines() == [
        "data/cases/petrov-ivan.toml: moved 1 contact marked private = true from [[contacts]] "
        "to [[private.contacts]]",
        "data/cases/petrov-ivan.toml: sealed its private part for Aida K, Boris M",
        "formatted data/cases/petrov-ivan.toml",
    ]
    text = team.case("petrov-ivan").read_text()
    assert SISTER not in text and "[private]" not in text and "[[contacts]]" not in text
    shown = team.run("show", "petrov-ivan").stdout
    assert SISTER in shown and "SECRET-NOTES" in shown
    assert team.case("sidorov-oleg").read_bytes() == before["sidorov-oleg"]
    team.run("fmt")
    team.run("validate")
    team.commit("formatted")
    assert SISTER.encode() not in every_object(team)


def test_a_change_of_keys_holds_the_lock_through_the_re_seal(team: Team) -> None:
    """Whenever another writer gets the lock while `keys remove` runs, every sealed file is
    sealed for the keys data/recipients.toml lists: no edit can come between the change of
    keys and the re-seal. And an edit that read the keys before the change, then waited
    for the lock, seals for the new keys."""
    for name in ("abay", "bakhyt", "chingiz", "daulet", "erlan", "farkhad", "gulnar", "ilyas"):
        (team.root / "data" / "cases" / f"{name}-case.toml").write_text(
            f'id = "{name}-case"\nname = "{name.title()} Case"\norigin_country = "RU"\n'
            'host_country = "KZ"\nstatus = "at_risk"\n\n[private]\nnotes = "old"\n'
        )
    team.run("seal")
    cases = sorted(team.root.glob("data/cases/*.toml"))
    team.commit("cases")
    first = cases[0].stem
    recipients = team.root / "data" / "recipients.toml"
    before = recipients.read_bytes()
    with repository_lock(team.root, notice=None):
        # both wait for the lock: `set` has read the keys (Aida and Boris) already
        removing = subprocess.Popen(
            [EXILECASES, "keys", "remove", "Boris M"],
            cwd=team.root,
            env={**team.env, "EXILECASES_IDENTITY": str(team.identity["aida"])},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        setting = subprocess.Popen(
            [EXILECASES, "set", first, "private.notes", "NEW"],
            cwd=team.root,
            env={**team.env, "EXILECASES_IDENTITY": str(team.identity["aida"])},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        assert removing.poll() is None and setting.poll() is None
        assert recipients.read_bytes() == before  # nothing changed before it had the lock
    consistent = 0
    while removing.poll() is None or setting.poll() is None:
        with repository_lock(team.root, notice=None):
            keys = fingerprint([r.key for r in read_recipients(team.root)])
            for path in cases:
                sealed = tomllib.loads(path.read_text())["sealed"]
                assert sealed["recipients_sha256"] == keys, path.name
            consistent += 1
        time.sleep(0.05)
    assert consistent > 0
    assert removing.wait() == 0, removing.stderr.read()
    assert setting.wait() == 0, setting.stderr.read()
    assert "Boris" not in recipients.read_text()
    assert "notes: NEW" in team.run("show", first).stdout
    shown = team.run("show", first, who="boris").stdout
    assert "your identity cannot open it" in shown and "NEW" not in shown
    checked = team.run("validate")
    assert "W191" not in checked.stdout
