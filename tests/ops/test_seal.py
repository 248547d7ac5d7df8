"""Sealing through the library: the three parts of a text, the age layer, keys, re-sealing."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from pyrage import x25519

from exilecases.errors import ExilecasesError
from exilecases.format.vocabulary import default_vocabulary
from exilecases.ops.seal import (
    Keys,
    SealError,
    check_sealed,
    decrypt,
    encrypt,
    private_change,
    seal_repository,
    seal_text,
    set_private_text,
    split_text,
    unseal_case,
)
from exilecases.store.files import load_vocabulary
from exilecases.store.keys import (
    Identities,
    Recipient,
    add_recipient_text,
    fingerprint,
    new_identity,
    parse_identities,
    read_identities,
    read_recipients,
    remove_recipient_text,
)

CASE = """\
id = "petrov-ivan"
name = "Ivan Petrov"
origin_country = "RU"
host_country = "KZ"
status = "at_risk"

[[events]]
date = "2024"
type = "arrival"

# The brother's flat, never published
[private]
phone = "+7 701 000 0001"  # his own
notes = "Lives with his brother"

[[private.contacts]]
name = "Svetlana V."
"""


def identity(tmp_path: Path, name: str = "me") -> tuple[Identities, str]:
    """A fresh identity and its public key."""
    secret = x25519.Identity.generate()
    public = str(secret.to_public())
    return parse_identities(f"{secret}\n".encode(), tmp_path / f"{name}.txt"), public


def keys_for(*publics: str, identities: Identities | None = None) -> Keys:
    keys = Keys([Recipient(f"R{i}", key) for i, key in enumerate(publics)])
    keys.identities = identities
    return keys


def test_split_text_cuts_public_private_and_sealed_parts() -> None:
    split = split_text(CASE)
    assert "[private]" not in split.public and "phone" not in split.public
    assert split.public.endswith('type = "arrival"\n')
    # the comment right above [private] and the trailing comment go with the private part
    assert split.private.startswith("# The brother's flat")
    assert "# his own" in split.private and "[[private.contacts]]" in split.private
    assert tomllib.loads(split.private)["private"] == tomllib.loads(CASE)["private"]
    assert split.sealed is None and split.sealed_text == ""
    assert split.join(split.private) == CASE


def test_split_text_refuses_private_as_dotted_keys() -> None:
    with pytest.raises(ExilecasesError, match="run `exilecases fmt` first"):
        split_text('id = "a-b-c"\nprivate.phone = "1"\n', "data/cases/a-b-c.toml")


def test_seal_then_open_gives_back_the_private_part_and_its_comments(tmp_path: Path) -> None:
    mine, public = identity(tmp_path)
    keys = keys_for(public, identities=mine)
    sealed, what = seal_text(CASE, keys, "x.toml")
    assert what == "sealed"
    assert "Svetlana" not in sealed and "000 0001" not in sealed and "brother" not in sealed
    data = tomllib.loads(sealed)
    assert data["sealed"]["recipients_sha256"] == fingerprint([public])
    plaintext = decrypt(data["sealed"]["age"], mine, "x.toml")
    assert "# his own" in plaintext and "# The brother's flat" in plaintext
    opened = unseal_case(data, mine, "x.toml")
    assert opened["private"] == tomllib.loads(CASE)["private"]
    assert "sealed" not in opened


def test_sealing_again_keeps_the_ciphertext_byte_for_byte(tmp_path: Path) -> None:
    mine, public = identity(tmp_path)
    keys = keys_for(public, identities=mine)
    sealed, _ = seal_text(CASE, keys, "x.toml")
    assert seal_text(sealed, keys, "x.toml") == (sealed, "unchanged")
    # a private edit that leaves the plaintext as it was keeps the block too
    same = private_change(keys, "x.toml", "petrov-ivan", lambda text: text, default_vocabulary())
    assert same(sealed) == sealed
    # setting a key to the value it has changes nothing either
    unchanged = private_change(
        keys,
        "x.toml",
        "petrov-ivan",
        lambda text: set_private_text(text, "notes", "Lives with his brother"),
        default_vocabulary(),
    )
    assert unchanged(sealed) == sealed


def test_a_new_recipient_set_reseals_and_only_the_new_set_can_open(tmp_path: Path) -> None:
    mine, public = identity(tmp_path, "me")
    other, other_public = identity(tmp_path, "other")
    sealed, _ = seal_text(CASE, keys_for(public, other_public, identities=mine), "x.toml")
    assert decrypt(tomllib.loads(sealed)["sealed"]["age"], other, "x.toml")
    resealed, what = seal_text(sealed, keys_for(public, identities=mine), "x.toml")
    assert what == "re-sealed"
    block = tomllib.loads(resealed)["sealed"]
    assert block["recipients_sha256"] == fingerprint([public])
    with pytest.raises(SealError) as raised:
        decrypt(block["age"], other, "x.toml")
    assert raised.value.reason == "not-for-you"
    assert "x.toml" in raised.value.message


def test_reseal_without_an_identity_is_refused_not_dropped(tmp_path: Path) -> None:
    _, public = identity(tmp_path)
    _, other_public = identity(tmp_path, "other")
    sealed, _ = seal_text(CASE, keys_for(public), "x.toml")  # sealing needs no identity
    with pytest.raises(SealError) as raised:
        seal_text(sealed, keys_for(other_public), "x.toml")
    assert raised.value.reason == "no-identity"


@pytest.mark.parametrize(
    "damage",
    [
        lambda armour: armour.replace("-----END AGE ENCRYPTED FILE-----", ""),
        lambda armour: armour[:80] + armour[81:],
        lambda armour: armour.replace(armour.split("\n")[3], armour.split("\n")[3][::-1]),
        lambda armour: "not age at all",
        lambda armour: armour.replace("A", "Ä", 1),
    ],
)
def test_a_damaged_block_is_a_clear_error(tmp_path: Path, damage) -> None:
    mine, public = identity(tmp_path)
    armour = encrypt("[private]\nnotes = 'x'\n", [public])
    with pytest.raises(SealError) as raised:
        decrypt(damage(armour), mine, "data/cases/x.toml")
    assert raised.value.reason == "damaged"
    assert raised.value.message.startswith("data/cases/x.toml: ")


def test_a_plaintext_that_is_not_a_private_table_is_invalid(tmp_path: Path) -> None:
    mine, public = identity(tmp_path)
    case = tomllib.loads(CASE)
    for plaintext in ('notes = "no header"\n', "[private\n"):
        case["sealed"] = {"age": encrypt(plaintext, [public])}
        with pytest.raises(SealError) as raised:
            unseal_case(case, mine, "x.toml")
        assert raised.value.reason == "invalid"


def test_set_private_text_changes_only_its_line() -> None:
    private = split_text(CASE).private
    changed = set_private_text(private, "phone", "+7 701 999")
    assert changed == private.replace("+7 701 000 0001", "+7 701 999")  # the comment stays
    added = set_private_text(private, "room", "12")
    assert added.split("\n")[4] == 'room = "12"'
    removed = set_private_text(private, "notes", "")
    assert "notes" not in removed and "Svetlana" in removed
    assert set_private_text("", "notes", "x") == '[private]\nnotes = "x"\n'
    with pytest.raises(ExilecasesError, match="is a table of entries"):
        set_private_text(private, "contacts", "x")


def test_seal_repository_seals_every_file_and_says_which(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    (root / "data" / "cases" / "petrov-ivan.toml").write_text(CASE)
    public_only = CASE.split("# The brother")[0].replace("petrov-ivan", "sidorov-oleg")
    (root / "data" / "cases" / "sidorov-oleg.toml").write_text(public_only.rstrip() + "\n")
    mine, public = identity(tmp_path)
    vocabulary = load_vocabulary(root)
    keys = keys_for(public, identities=mine)
    report = seal_repository(root, vocabulary, keys)
    assert report.sealed == ["data/cases/petrov-ivan.toml"] and not report.failed
    assert report.unchanged == 1
    again = seal_repository(root, vocabulary, keys)
    assert again.changed == [] and again.unchanged == 2
    assert check_sealed(root, sorted((root / "data/cases").glob("*.toml")), keys, vocabulary)
    # ...with no findings other than none at all:
    result = check_sealed(root, sorted((root / "data/cases").glob("*.toml")), keys, vocabulary)
    assert result.findings == [] and result.unchecked == 0


# --- the keys on disk ----------------------------------------------------------------------


def write_recipients(root: Path, text: str) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "recipients.toml").write_text(text)


def test_recipients_are_read_with_their_lines(tmp_path: Path) -> None:
    _, one = identity(tmp_path)
    _, two = identity(tmp_path, "two")
    text = add_recipient_text(add_recipient_text("", "Aida K", one), "Boris M", two)
    write_recipients(tmp_path, text)
    found = read_recipients(tmp_path)
    assert [(r.name, r.key) for r in found] == [("Aida K", one), ("Boris M", two)]
    assert text.split("\n")[found[1].line - 1] == f'key = "{two}"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[recipients]]\nname = "A"\nkey = "age1nonsense"\n',
            r"recipients.toml:3: the key of 'A'",
        ),
        ('[[recipients]]\nname = "A"\nkey = "ssh-ed25519 AAAA"\n', "does not start with age1"),
        ('[[recipients]]\nname = "A"\n', "recipients.toml:1: 'A' needs key"),
        ('[[recipients]]\nkey = "age1x"\n', "needs name"),
        ("[[recipients]\n", "not valid TOML"),
        ('team = "x"\n', "recipients.toml:1: the file holds only"),
        ('[[recipients]]\nname = "A\\u202e"\nkey = "age1x"\n', "recipients.toml:2: a key holder"),
        ('[[recipients]]\nname = "A"\nkey = "age1x"\nmail = "a@b"\n', "unknown key 'mail'"),
    ],
)
def test_a_malformed_recipients_file_names_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    write_recipients(tmp_path, text)
    with pytest.raises(ExilecasesError, match=expected):
        read_recipients(tmp_path)


def test_a_recipient_listed_twice_is_refused(tmp_path: Path) -> None:
    _, one = identity(tmp_path)
    write_recipients(tmp_path, add_recipient_text(add_recipient_text("", "A", one), "B", one))
    expected = r"recipients.toml:10: the key of 'B' is listed for 'A' already \(line 6\)"
    with pytest.raises(ExilecasesError, match=expected):
        read_recipients(tmp_path)


def test_the_recipients_file_must_be_a_small_regular_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text("")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "recipients.toml").symlink_to(elsewhere)
    with pytest.raises(ExilecasesError, match="symbolic link"):
        read_recipients(tmp_path)
    (tmp_path / "data" / "recipients.toml").unlink()
    write_recipients(tmp_path, "# " + "x" * 200_000 + "\n")
    with pytest.raises(ExilecasesError, match="at most 100,000"):
        read_recipients(tmp_path)


def test_removing_a_recipient_keeps_every_other_line(tmp_path: Path) -> None:
    keys = [identity(tmp_path, str(i))[1] for i in range(3)]
    text = add_recipient_text("", "A", keys[0])
    entry = '[[recipients]]\nname = "B"'
    text = add_recipient_text(text, "B", keys[1]).replace(entry, "# Boris, since 2026\n" + entry)
    text = add_recipient_text(text, "C", keys[2])
    removed = remove_recipient_text(text, "B")
    assert "Boris" not in removed and keys[1] not in removed
    assert [e["name"] for e in tomllib.loads(removed)["recipients"]] == ["A", "C"]
    assert removed.startswith("# The team's public age keys")
    assert remove_recipient_text(removed, "C") == add_recipient_text("", "A", keys[0])


def test_identity_comes_from_the_environment_or_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXILECASES_IDENTITY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert read_identities() is None
    public = new_identity(tmp_path / "config" / "exilecases" / "identity.txt")
    found = read_identities()
    assert found is not None and found.public_keys == [public]
    made = tmp_path / "config" / "exilecases" / "identity.txt"
    assert made.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "config" / "exilecases").stat().st_mode & 0o777 == 0o700
    with pytest.raises(ExilecasesError, match="never overwritten"):
        new_identity(made)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "missing.txt"))
    with pytest.raises(ExilecasesError, match=r"missing\.txt, which does not exist"):
        read_identities()


def test_an_identity_others_can_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "id.txt"
    new_identity(path)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(path))
    os.chmod(path, 0o640)
    with pytest.raises(ExilecasesError, match=r"mode 0640.*chmod 600"):
        read_identities()


def test_an_identity_inside_the_repository_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "repo" / "id.txt"
    path.parent.mkdir()
    new_identity(path)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(path))
    with pytest.raises(ExilecasesError, match="inside the repository"):
        read_identities(tmp_path / "repo")


def test_a_damaged_identity_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ExilecasesError, match=r"id.txt:2: the secret key is damaged"):
        parse_identities(b"# mine\nAGE-SECRET-KEY-1QQQQ\n", tmp_path / "id.txt")
    with pytest.raises(ExilecasesError, match=r"id.txt:1: not an age secret key"):
        parse_identities(b"-----BEGIN OPENSSH PRIVATE KEY-----\n", tmp_path / "id.txt")


def test_the_library_opens_sealed_cases_only_when_asked_and_able(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exilecases.repository import Repository

    root = tmp_path / "repo"
    (root / "data" / "cases").mkdir(parents=True)
    (root / "data" / "cases" / "petrov-ivan.toml").write_text(CASE)
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "me.txt"))
    public = new_identity(tmp_path / "me.txt")
    write_recipients(root, add_recipient_text("", "Me", public))
    repo = Repository(root)
    assert repo.seal().sealed == ["data/cases/petrov-ivan.toml"]
    repo.set("petrov-ivan", "private.room", "ROOM-SECRET-12")
    assert "ROOM-SECRET-12" not in (root / "data" / "cases" / "petrov-ivan.toml").read_text()
    assert "private" not in repo.case("petrov-ivan") and "sealed" not in repo.case("petrov-ivan")
    opened = repo.case("petrov-ivan", private=True)
    assert (
        opened["private"]["room"] == "ROOM-SECRET-12"
        and opened["private"]["phone"] == "+7 701 000 0001"
    )
    assert repo.cases(private=True)[0]["private"] == opened["private"]
    monkeypatch.setenv("EXILECASES_IDENTITY", str(tmp_path / "other.txt"))
    new_identity(tmp_path / "other.txt")
    with pytest.raises(SealError, match=r"petrov-ivan\.toml: your identity"):
        repo.cases(private=True)
