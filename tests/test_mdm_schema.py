"""The shipped JSON Schema and example managed configs match the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.config import load, schema

MDM = Path(__file__).resolve().parent.parent / "mdm"


def test_checked_in_schema_is_generated_from_the_structs() -> None:
    shipped = json.loads((MDM / "guard.schema.json").read_text())
    assert shipped == schema.json_schema(), "run: clampd-guard config schema > mdm/guard.schema.json"


@pytest.mark.parametrize("example", sorted((MDM / "examples").glob("*.json")), ids=lambda p: p.name)
def test_examples_are_valid_managed_configs(example: Path) -> None:
    schema.validate(example.read_bytes())
    values, warnings, err = load.parse_file(str(example))
    assert err is None and warnings == []
