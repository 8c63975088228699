"""Config tuning of rules: exclusions, per-rule actions, project allowlists, managed forbid_loosening."""

from __future__ import annotations

import json
from pathlib import Path

from guard.config import load
from guard.decide import run_payload
from guard.editors import claude_code
from tests.hookrun import run


def cfg_from(tmp_path: Path, user: dict | None = None, managed: dict | None = None) -> load.Config:
    u, m = tmp_path / "u.json", tmp_path / "m.json"
    if user is not None:
        u.write_text(json.dumps(user))
    if managed is not None:
        m.write_text(json.dumps(managed))
    return load.load(str(u), str(m))


def verdict(cfg: load.Config, command: str, cwd: str = "/home/dev/project") -> str:
    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "cwd": cwd}
    return run_payload(claude_code, payload, cfg)[1].decision


def test_exclude_rule_ids(tmp_path: Path) -> None:
    assert verdict(cfg_from(tmp_path), "rm -rf ~/Documents") == "ask"
    assert verdict(cfg_from(tmp_path, {"exclude_rule_ids": ["shell.rm-home-child"]}), "rm -rf ~/Documents") == "allow"


def test_rule_actions_force_a_level(tmp_path: Path) -> None:
    assert verdict(cfg_from(tmp_path, {"rule_actions": {"shell.rm-vital": "ask"}}), "rm -rf /") == "ask"
    assert verdict(cfg_from(tmp_path, {"rule_actions": {"shell.rm-home-child": "deny"}}), "rm -rf ~/Documents") == "deny"
    assert verdict(cfg_from(tmp_path, {"rule_actions": {"shell.rm-home-child": "allow"}}), "rm -rf ~/Documents") == "allow"


def test_project_allowlist_applies_inside_the_project_only(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, {"project_allow": {"/home/dev/sandbox": ["shell.rm-home-child"]}})
    assert verdict(cfg, "rm -rf ~/Documents", cwd="/home/dev/sandbox/sub") == "allow"
    assert verdict(cfg, "rm -rf ~/Documents", cwd="/home/dev/project") == "ask"


def test_managed_forbid_loosening_drops_user_loosening(tmp_path: Path) -> None:
    cfg = cfg_from(
        tmp_path,
        user={
            "exclude_rule_ids": ["shell.rm-home-child"],
            "rule_actions": {"shell.rm-vital": "allow", "shell.mkfs": "deny"},
            "sensitivity": "permissive",
            "fail_open": True,
        },
        managed={"forbid_loosening": True},
    )
    assert cfg.exclude_rule_ids == [] and cfg.rule_actions == {"shell.mkfs": "deny"}
    assert cfg.sensitivity == "balanced" and cfg.fail_open is False
    assert any("forbids loosening" in w for w in cfg.warnings)
    assert verdict(cfg, "rm -rf ~/Documents") == "ask" and verdict(cfg, "rm -rf /") == "deny"


def test_user_cannot_set_forbid_loosening_or_loosen_without_it(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, user={"forbid_loosening": True, "exclude_rule_ids": ["x.y"]})
    assert cfg.forbid_loosening is False and cfg.exclude_rule_ids == ["x.y"]


def test_stricter_user_sensitivity_is_kept_under_forbid_loosening(tmp_path: Path) -> None:
    cfg = cfg_from(tmp_path, user={"sensitivity": "strict"}, managed={"forbid_loosening": True})
    assert cfg.sensitivity == "strict"


def test_hook_honours_exclusions_end_to_end(home: Path) -> None:
    cfg = home / ".clampd" / "guard.json"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"exclude_rule_ids": ["shell.rm-home-child"]}))
    payload = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~/Documents"}}
    r = run(payload, home, how="launcher")
    assert (r.code, r.stdout) == (0, "")
