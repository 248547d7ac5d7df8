"""The JSON Schema of a case file, generated from the model, for editors (taplo, VS Code).

The schema is never written by hand: it is ``Case.model_json_schema()`` made fit for TOML
(no ``null``, which TOML does not have) with the vocabularies added as ``enum`` lists, so an
editor completes statuses, event types, categories and legal bases and flags a typo. Unknown
keys stay allowed, as in the validator (they are warnings there, not errors).
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: A name, not an address: nothing is fetched from it.
SCHEMA_ID = "urn:exilecases:schema:case"
#: Where the case files are (taplo's ``include`` globs). Taplo resolves relative globs and
#: schema paths against its working folder, so it is run from the repository root; the
#: ``**/`` form makes a run from a parent folder fail loudly (schema not found) instead of
#: skipping the check in silence.
CASE_GLOBS: tuple[str, ...] = ("data/cases/*.toml", "**/data/cases/*.toml")

#: Where each vocabulary applies: (path of definitions to the property, vocabulary kind).
#: ``"[]"`` stands for the items of a list.
_VOCABULARY_PROPERTIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Case", "status"), "statuses"),
    (("Private", "status"), "statuses"),
    (("Case", "categories", "[]"), "categories"),
    (("Event", "type"), "event_types"),
    (("Event", "outcome"), "statuses"),
    (("Charge", "basis"), "legal_bases"),
    (("Proceeding", "type"), "proceeding_types"),
    (("Deadline", "type"), "deadline_types"),
    (("Deadline", "rule"), "deadline_rules"),
)


def case_json_schema(vocabulary: Any, *, schema_id: str = SCHEMA_ID) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a case file, with ``vocabulary``'s keys as enums."""
    # The model (pydantic) is imported here only: ``validate`` checks a written schema
    # with ``stale_vocabularies`` on every run and needs none of it.
    from exilecases.format.model import ID_REGEX, Case

    schema = _without_nulls(Case.model_json_schema())
    definitions = schema.setdefault("$defs", {})
    definitions["Case"] = {k: v for k, v in schema.items() if k != "$defs"}
    for path, kind in _VOCABULARY_PROPERTIES:
        _add_enum(_property(definitions, path), vocabulary, kind)
    case = definitions.pop("Case")
    case["properties"]["id"]["pattern"] = f"^{ID_REGEX}$"  # ECMA-262: $ is the end
    # ``[private]`` takes free keys beside its sub-tables (``notes``, ``phone``, ...).
    definitions["Private"]["additionalProperties"] = True
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": schema_id,
        **case,
        "title": "exilecases case file",
        "description": (
            "One person at risk of being returned to the state that persecutes them: "
            "data/cases/<id>.toml. Unknown keys are allowed (the validator warns about them)."
        ),
        "$defs": definitions,
    }


def _without_nulls(value: Any) -> Any:
    """Drop ``null`` alternatives and ``null`` defaults: a TOML file cannot hold null."""
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {k: _without_nulls(v) for k, v in value.items()}
    if result.get("default", 0) is None:
        del result["default"]
    alternatives = result.get("anyOf")
    if isinstance(alternatives, list):
        kept = [a for a in alternatives if a != {"type": "null"}]
        if len(kept) == 1:
            del result["anyOf"]
            result = {**kept[0], **result}
        elif len(kept) != len(alternatives):
            result["anyOf"] = kept
    return result


def _property(definitions: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = definitions[path[0]]["properties"][path[1]]
    for part in path[2:]:
        if part == "[]":
            node = node["items"]
    return node


def _add_enum(node: dict[str, Any], vocabulary: Any, kind: str) -> None:
    """Restrict a string to the keys of one vocabulary and document each with its label."""
    keys = list(vocabulary.keys(kind))
    labels = [_entry_doc(vocabulary, kind, key) for key in keys]
    node["enum"] = keys
    node["x-taplo"] = {"docs": {"enumValues": labels}}
    listing = "; ".join(f"{key}: {vocabulary.label(kind, key)}" for key in keys)
    described = node.get("description", "")
    node["description"] = f"{described}. Known values: {listing}".lstrip(". ")


def _entry_doc(vocabulary: Any, kind: str, key: str) -> str:
    """One line of editor documentation for a vocabulary entry."""
    entry = vocabulary.entries[kind].get(key, {})
    doc = str(entry.get("label", key))
    if kind == "statuses":
        doc += f" (outcome: {entry.get('outcome', 'unknown')})"
    details = [str(entry[name]) for name in ("description", "code") if entry.get(name)]
    if entry.get("max_penalty"):
        details.append(f"maximum penalty: {entry['max_penalty']}")
    return "; ".join([doc, *details])


def schema_text(vocabulary: Any) -> str:
    """The schema as the text of a ``.json`` file (UTF-8, indented, one final newline)."""
    return json.dumps(case_json_schema(vocabulary), ensure_ascii=False, indent=2) + "\n"


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def taplo_config(schema_path: str, include: tuple[str, ...] = CASE_GLOBS) -> str:
    """The text of a ``.taplo.toml`` that checks ``include`` against the schema at
    ``schema_path``: a local path relative to the repository root (taplo resolves it
    against its working folder: run ``taplo check`` there) or an absolute URL.

    ``taplo check`` (alias of ``taplo lint``) and the taplo editor extensions read it. It
    enables no remote schema catalog, so with a local path checking needs no network.
    """
    globs = ", ".join(_toml_string(g) for g in include)
    key = "url" if "://" in schema_path else "path"
    return (
        "# Checks the case files against the exilecases schema (`exilecases schema`).\n"
        "# Run `taplo check` from the repository root: taplo reads the paths below from\n"
        "# the folder it runs in.\n"
        "[[rule]]\n"
        'name = "exilecases-cases"\n'
        f"include = [{globs}]\n"
        "\n"
        "[rule.schema]\n"
        "enabled = true\n"
        f"{key} = {_toml_string(schema_path)}\n"
    )


def _enum_node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The node of ``schema`` (as written, with ``Case`` at the root) that holds an enum."""
    node = schema if path[0] == "Case" else schema["$defs"][path[0]]
    node = node["properties"][path[1]]
    for part in path[2:]:
        if part == "[]":
            node = node["items"]
    if not isinstance(node, dict) or not isinstance(node.get("enum"), list):
        raise KeyError(path)
    return node


def stale_vocabularies(schema: Any, vocabulary: Any) -> list[str]:
    """What a written schema lacks or has too many of, compared with ``vocabulary``: one
    phrase per vocabulary that differs (``legal bases: 15 new (RU-CC-205.2, ...)``), or
    ``[]`` when its allowed values and their documentation are current.

    Raises ``ValueError`` when ``schema`` is not shaped like a schema this module writes.
    """
    found: list[str] = []
    seen: set[str] = set()
    for path, kind in _VOCABULARY_PROPERTIES:
        try:
            node = _enum_node(schema, path)
        except (KeyError, TypeError, IndexError):
            raise ValueError(f"no list of allowed values at {'.'.join(path)}") from None
        if kind in seen:
            continue
        keys = list(vocabulary.keys(kind))
        written = [key for key in node["enum"] if isinstance(key, str)]
        new = [key for key in keys if key not in written]
        gone = [key for key in written if key not in keys]
        parts = []
        if new:
            parts.append(f"{len(new)} new ({_few(new)})")
        if gone:
            parts.append(f"{len(gone)} no longer defined ({_few(gone)})")
        if not parts:
            docs = node.get("x-taplo", {}).get("docs", {}).get("enumValues")
            if docs != [_entry_doc(vocabulary, kind, key) for key in written]:
                parts.append("labels or penalties changed")
        if parts:
            seen.add(kind)
            found.append(f"{kind.replace('_', ' ')}: {', '.join(parts)}")
    return found


def _few(keys: list[str], shown: int = 3) -> str:
    more = len(keys) - shown
    return ", ".join(keys[:shown]) + (f" and {more} more" if more > 0 else "")
