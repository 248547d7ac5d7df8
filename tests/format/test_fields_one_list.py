"""The tables and key order live in one list (format/fields.py); the schema follows it."""

from __future__ import annotations

from exilecases.format import fields, model


def test_the_schema_declares_its_fields_in_the_canonical_order() -> None:
    declared = {
        "case": list(model.Case.model_fields),
        **{table: list(kind.model_fields) for table, kind in model.TABLE_MODELS.items()},
    }
    assert declared == fields.KEY_ORDER
    assert tuple(model.TABLE_MODELS) == fields.ENTRY_TABLES
    assert tuple(model.PRIVATE_TABLES) == fields.PRIVATE_TABLES
    assert sorted(fields.PRIVATE_TABLES) == sorted(
        name for name in model.Private.model_fields if name != "status"
    )


def test_the_required_fields_are_the_schemas() -> None:
    required = [name for name, f in model.Case.model_fields.items() if f.is_required()]
    assert sorted(required) == sorted(fields.REQUIRED_FIELDS)


def test_entries_skip_what_is_not_a_table() -> None:
    case = {"events": [{"date": "2024"}, "stray", 3, {"date": "2025"}], "charges": "oops"}
    assert fields.entries(case, "events") == [{"date": "2024"}, {"date": "2025"}]
    assert fields.entries(case, "charges") == []
    assert list(fields.numbered_entries(case, "events")) == [(0, {"date": "2024"}),
                                                              (3, {"date": "2025"})]  # fmt: skip
