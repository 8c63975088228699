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


# ---- the kits: every guard.json they ship is valid, and the editor wiring agrees everywhere ----

ROLE = MDM / "ansible" / "roles" / "clampd_guard"
HOOK_TIMEOUT_S = 10


def role_defaults() -> dict:
    import yaml  # comes with ansible-core (the test extra)

    return yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())


def kit_configs() -> dict[str, bytes]:
    out = {f"examples/{p.name}": p.read_bytes() for p in sorted((MDM / "examples").glob("*.json"))}
    out["jamf/guard.json"] = (MDM / "jamf" / "guard.json").read_bytes()
    out["intune/guard.json"] = (MDM / "intune" / "guard.json").read_bytes()
    out["ansible defaults"] = json.dumps(role_defaults()["clampd_guard_config"]).encode()
    return out


@pytest.mark.parametrize("name", sorted(kit_configs()))
def test_every_kit_config_is_valid_and_fits_the_hook_timeout(name: str, tmp_path: Path) -> None:
    raw = kit_configs()[name]
    schema.validate(raw)
    f = tmp_path / "guard.json"
    f.write_bytes(raw)
    values, warnings, err = load.parse_file(str(f))
    assert err is None and warnings == [], (err, warnings)
    deadline = values.get("deadline_ms", 5000)
    assert HOOK_TIMEOUT_S * 1000 > deadline, "the editor would kill the guard before its own deadline"


def test_fleet_kits_fail_closed_and_forbid_loosening() -> None:
    for name in ("examples/fail-closed-fleet.json", "jamf/guard.json", "intune/guard.json", "ansible defaults"):
        cfg = json.loads(kit_configs()[name])
        assert cfg["fail_open"] is False and cfg["forbid_loosening"] is True, name


def test_gateway_example_uses_signed_bundles_with_a_marked_placeholder() -> None:
    cfg = json.loads((MDM / "examples" / "gateway-signed-bundles.json").read_text())
    assert cfg["gateway_url"].startswith("https://")
    assert cfg["fail_open"] is False and cfg["audit"] is True and cfg["forbid_loosening"] is True
    assert cfg["rules_max_age_hours"] > 0
    assert cfg["rules_public_key"].startswith("REPLACE-ME"), "the key must be visibly a placeholder"
    assert "api_key" not in cfg and "secret" not in cfg  # secrets go in the keyring, not in a pushed file


def role_filters() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("clampd_role_filters", ROLE / "filter_plugins" / "clampd_guard.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


CLAUDE_EVENTS = {"PreToolUse", "PostToolUse", "PostToolUseFailure", "UserPromptSubmit"}
CURSOR_EVENTS = {"beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "preToolUse", "postToolUse",
                 "beforeSubmitPrompt"}
WIN_EXE = "C:\\Program Files\\clampd-guard\\clampd-guard.exe"


def test_shipped_posix_settings_are_what_the_ansible_role_writes() -> None:
    f = role_filters()
    exe = role_defaults()["clampd_guard_install_dir"] + "/clampd-guard"
    assert exe == "/opt/clampd-guard/clampd-guard"
    claude = json.loads((MDM / "editor-settings" / "claude-code" / "managed-settings.json").read_text())
    assert claude == f.claude_managed_settings({}, exe, HOOK_TIMEOUT_S, True)
    cursor = json.loads((MDM / "editor-settings" / "cursor" / "hooks.json").read_text())
    assert cursor == f.cursor_enterprise_hooks({}, exe, HOOK_TIMEOUT_S)


def test_claude_managed_settings_allow_only_managed_hooks_and_wire_four_events() -> None:
    for name, argv in (("managed-settings.json", None), ("managed-settings.windows.json", ["hook", "--agent", "claude"])):
        s = json.loads((MDM / "editor-settings" / "claude-code" / name).read_text())
        assert s["allowManagedHooksOnly"] is True
        assert set(s["hooks"]) == CLAUDE_EVENTS
        for event, groups in s["hooks"].items():
            (group,) = groups
            assert ("matcher" in group) == (event != "UserPromptSubmit")
            (h,) = group["hooks"]
            assert h["type"] == "command" and h["timeout"] == HOOK_TIMEOUT_S
            if argv is None:
                assert h["command"] == '"/opt/clampd-guard/clampd-guard" hook --agent claude' and "args" not in h
            else:  # exec form: no shell, so no quoting of "Program Files" (Claude Code >= 2.1.139)
                assert h["command"] == WIN_EXE and h["args"] == argv


def test_cursor_enterprise_hooks_are_flat_version_1_entries() -> None:
    for name, cmd in (("hooks.json", '"/opt/clampd-guard/clampd-guard" hook --agent cursor'),
                      ("hooks.windows.json", '"C:/Program Files/clampd-guard/clampd-guard.exe" hook --agent cursor')):
        s = json.loads((MDM / "editor-settings" / "cursor" / name).read_text())
        assert s["version"] == 1 and set(s["hooks"]) == CURSOR_EVENTS
        for event, entries in s["hooks"].items():
            (e,) = entries
            assert e["command"] == cmd and e["timeout"] == HOOK_TIMEOUT_S and "hooks" not in e
            assert e.get("failClosed") is (None if event in ("postToolUse", "beforeSubmitPrompt") else True)
