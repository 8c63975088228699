"""guard.json loading: precedence, managed-file fail-closed, broken user file, schema agreement."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import platformdirs
import pytest

from guard.config import fields, load, paths, schema
from tests.hookrun import run

ATTACK = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}
BENIGN = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls -la"}}


def write(path: Path, obj: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def test_defaults_without_files(tmp_path: Path) -> None:
    cfg = load.load(str(tmp_path / "u.json"), str(tmp_path / "m.json"))
    assert cfg.fail_open is True and cfg.timeout_ms == 2000 and cfg.sources == {}


def test_managed_wins_for_every_field_it_sets(tmp_path: Path) -> None:
    u = write(tmp_path / "u.json", {"fail_open": True, "timeout_ms": 900, "agent_id": "me", "sensitivity": "permissive"})
    m = write(tmp_path / "m.json", {"fail_open": False, "sensitivity": "strict"})
    cfg = load.load(str(u), str(m))
    assert cfg.fail_open is False and cfg.sensitivity == "strict"  # managed
    assert cfg.timeout_ms == 900 and cfg.agent_id == "me"  # user, where managed is silent
    assert sorted(cfg.managed_forced) == ["fail_open", "sensitivity"]
    assert cfg.sources["timeout_ms"] == "user" and cfg.sources["fail_open"] == "managed"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"fail_open": "no"}', '{"timeout_ms": 10}'])
def test_broken_managed_file_fails_closed_naming_it(tmp_path: Path, content: str) -> None:
    m = write(tmp_path / "m.json", content)
    u = write(tmp_path / "u.json", {"fail_open": True})
    cfg = load.load(str(u), str(m))
    assert cfg.fail_open is False and str(m) in cfg.managed_error


def test_unreadable_managed_file_fails_closed(tmp_path: Path) -> None:
    m = tmp_path / "m.json"
    m.mkdir()  # exists but cannot be read as a file (works even as root)
    cfg = load.load(str(tmp_path / "u.json"), str(m))
    assert cfg.managed_error and "cannot be read" in cfg.managed_error


def test_broken_user_file_falls_back_with_a_clear_error(tmp_path: Path) -> None:
    u = write(tmp_path / "u.json", '{"fail_open": false,')
    m = write(tmp_path / "m.json", {"timeout_ms": 700})
    cfg = load.load(str(u), str(m))
    assert cfg.user_error and str(u) in cfg.user_error
    assert cfg.fail_open is True and cfg.timeout_ms == 700  # defaults + managed


def test_unknown_fields_warn_not_crash(tmp_path: Path) -> None:
    u = write(tmp_path / "u.json", {"fail_open": False, "colour": "blue"})
    cfg = load.load(str(u), str(tmp_path / "m.json"))
    assert cfg.fail_open is False and any("colour" in w for w in cfg.warnings)


def test_hook_with_broken_managed_file_denies_everything(home: Path, tmp_path: Path) -> None:
    m = write(tmp_path / "etc" / "guard.json", "{oops")
    r = run(BENIGN, home, how="launcher", managed=m)
    assert r.decision == "deny"
    assert str(m) in r.reason and "managed configuration is broken" in r.reason


def test_hook_with_broken_user_file_still_protects(home: Path) -> None:
    write(home / ".clampd" / "guard.json", "{oops")
    r = run(ATTACK, home, how="launcher")
    assert r.decision == "deny"
    assert "guard.json" in r.stderr and "not valid JSON" in r.stderr
    r = run(BENIGN, home, how="launcher")
    assert r.stdout == ""


def test_user_cannot_loosen_managed_fail_closed(home: Path, tmp_path: Path) -> None:
    m = write(tmp_path / "etc" / "guard.json", {"fail_open": False})
    write(home / ".clampd" / "guard.json", {"fail_open": True})
    r = run(b"not json", home, how="launcher", managed=m)
    assert r.code == 2 and "fail closed" in r.stderr


def test_no_environment_variable_moves_the_managed_file(home: Path, tmp_path: Path) -> None:
    # Whatever an agent exports, the hook reads the compiled-in managed path.
    src = "\n".join(p.read_text() for p in Path(paths.__file__).parent.glob("*.py"))
    assert "MANAGED_CONFIG = " in src
    linux_line = [ln for ln in src.splitlines() if ln.strip().startswith('MANAGED_CONFIG = "/etc')]
    assert linux_line == ['    MANAGED_CONFIG = "/etc/clampd/guard.json"']
    assert paths.MANAGED_CONFIG == "/etc/clampd/guard.json"


DOCS = [
    {},
    {"fail_open": False, "timeout_ms": 1500, "gateway_url": "https://gw.example"},
    {"timeout_ms": True},
    {"timeout_ms": 10},
    {"fail_open": 1},
    {"gateway_url": "ftp://x"},
    {"sensitivity": "paranoid"},
    {"sensitivity": "strict", "max_input_bytes": 4096},
    {"api_key": 5},
    {"unknown_field": 1},
]


@pytest.mark.parametrize("doc", DOCS, ids=[json.dumps(d) for d in DOCS])
def test_hook_loader_and_msgspec_schema_agree(doc: dict, tmp_path: Path) -> None:
    p = write(tmp_path / "g.json", doc)
    _values, _warn, err = load.parse_file(str(p))
    try:
        schema.validate(p.read_bytes())
        ok = True
    except msgspec.ValidationError:
        ok = False
    assert ok == (err is None), (doc, err)


def test_schema_lists_every_field() -> None:
    props = schema.json_schema()["$defs"]["GuardConfig"]["properties"]
    assert set(props) == set(fields.FIELDS)


def test_paths_mirror_platformdirs(home: Path) -> None:
    assert paths.user_cache_dir() == platformdirs.user_cache_dir("clampd-guard", appauthor=False)
    assert paths.user_state_dir() == platformdirs.user_state_dir("clampd-guard", appauthor=False)


@pytest.mark.parametrize("name,value", [("rules_public_key", "A" * 43 + "="), ("forbid_loosening", True)])
def test_managed_only_fields_are_ignored_from_the_user_file(tmp_path: Path, name: str, value: object) -> None:
    """A user (or an agent editing ~/.clampd) cannot choose the key that signs rule bundles."""
    u = write(tmp_path / "u.json", {name: value})
    cfg = load.load(str(u), str(tmp_path / "m.json"))
    assert getattr(cfg, name) == fields.FIELDS[name][1]
    assert any(name in w and "managed" in w for w in cfg.warnings)
    m = write(tmp_path / "m.json", {name: value})
    assert getattr(load.load(str(u), str(m)), name) == value


def test_forbid_loosening_keeps_audit_on_and_the_gateway_asked(tmp_path: Path) -> None:
    u = write(tmp_path / "u.json", {"audit": False, "skip_low_risk": True})
    cfg = load.load(str(u), str(tmp_path / "m.json"))
    assert cfg.audit is False and cfg.skip_low_risk is True
    m = write(tmp_path / "m.json", {"forbid_loosening": True})
    cfg = load.load(str(u), str(m))
    assert cfg.audit is True and cfg.skip_low_risk is False
    assert any("audit" in w and "skip_low_risk" in w for w in cfg.warnings)
