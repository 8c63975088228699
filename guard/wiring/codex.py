"""OpenAI Codex CLI: ``hooks.json`` next to ``config.toml`` (``~/.codex/``, ``<repo>/.codex/``).

Same three levels as Claude Code (event -> matcher groups -> handlers), ``timeout`` in
seconds; the root may hold only ``description`` and ``hooks`` (Codex refuses other keys),
so a new file holds just ``hooks``. Matchers are omitted (= every tool). Hooks need
the ``hooks`` feature (on by default from 0.124; ``[features] hooks = false`` or the
older ``codex_hooks`` switch turns them off), and Codex asks the user to trust new
non-managed hooks before it runs them. We write JSON only: ``config.toml`` is read,
never edited.
"""

from __future__ import annotations

import os
import shutil

from guard.wiring import probes
from guard.wiring.base import PROJECT, USER, Editor, Probe

EVENTS = ("PreToolUse", "PostToolUse", "UserPromptSubmit")


def events(command: str, timeout_s: int) -> dict:
    return {ev: {"hooks": [{"type": "command", "command": command, "timeout": timeout_s}]} for ev in EVENTS}


def paths(scope: str, home: str, project: str) -> str | None:
    if scope == USER:
        return os.path.join(os.environ.get("CODEX_HOME") or os.path.join(home, ".codex"), "hooks.json")
    if scope == PROJECT:
        return os.path.join(project, ".codex", "hooks.json")
    return None


def detect(home: str) -> bool:
    return os.path.isdir(os.path.join(home, ".codex")) or shutil.which("codex") is not None


def _payload(cwd: str, command: str) -> dict:
    return {
        "session_id": "clampd-doctor",
        "turn_id": "clampd-doctor-turn",
        "transcript_path": None,
        "cwd": cwd,
        "model": "",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": "call_clampd_doctor",
    }


_READ = probes.claude_like(need_reason=True, exit2_needs_stderr=True)


def deny_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.DANGEROUS), _READ)


def allow_probe(cwd: str) -> Probe:
    return Probe(_payload(cwd, probes.BENIGN), _READ)


def feature_notes(config_toml: str) -> list[tuple[str, str, str]]:
    """Doctor lines about ``config.toml`` switches that turn hooks off."""
    import tomllib

    try:
        with open(config_toml, "rb") as f:
            cfg = tomllib.load(f)
    except FileNotFoundError:
        return []
    except (OSError, tomllib.TOMLDecodeError) as e:
        return [("warn", f"{config_toml} cannot be read as TOML ({e})", "fix the file; Codex will not start with it")]
    feats = cfg.get("features") if isinstance(cfg.get("features"), dict) else {}
    for key in ("hooks", "codex_hooks"):
        if feats.get(key) is False:
            return [("fail", f"{config_toml}: [features] {key} = false turns every hook off", f"set [features] {key} = true")]
    return []


def notes(_data: object, path: str) -> list[tuple[str, str, str]]:
    return feature_notes(os.path.join(os.path.dirname(path), "config.toml"))


EDITOR = Editor(
    name="codex",
    label="Codex CLI",
    agent="codex",
    shape="nested",
    events=events,
    paths=paths,
    detect=detect,
    deny_probe=deny_probe,
    allow_probe=allow_probe,
    notes=notes,
)
