"""Recognising our hook command lines, and reading them inside a system image (doctor --root)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from guard.commands import hook_command
from guard.wiring.command import agent_of, guard_command, hook_timeout_s, is_ours, map_root, rooted_command


@pytest.mark.parametrize(
    "cmd",
    [
        "/usr/local/bin/clampd-guard",
        "/usr/local/bin/clampd-guard hook --agent claude",
        '"/opt/my tools/clampd-guard" --agent cursor',
        '"/home/u/.venv/bin/python3" -I -S "/home/u/.venv/lib/python3.11/site-packages/guard/hookmain.py" --agent claude',
        '"C:/Program Files/clampd/clampd-guard.exe" hook',
    ],
)
def test_ours(cmd: str) -> None:
    assert is_ours(cmd)


@pytest.mark.parametrize(
    "cmd",
    [
        "/usr/local/bin/other-hook",
        "echo clampd-guard",
        "python3 /srv/hooks/hookmain.py",  # not guard/hookmain.py
        "/usr/bin/clampd-guard-helper",
        'unbalanced "quote',
        None,
        42,
    ],
)
def test_not_ours(cmd: object) -> None:
    assert not is_ours(cmd)


def test_this_guards_command_is_absolute_names_its_agent_and_is_ours() -> None:
    for agent in ("claude", "cursor", "codex"):
        cmd = guard_command(agent)
        words = shlex.split(cmd)
        assert Path(words[0]).is_absolute() and words[0] == str(Path(sys.executable).absolute())
        assert words[1:3] == ["-I", "-S"] and Path(words[3]) == Path(hook_command.hookmain_path())
        assert agent_of(cmd) == agent and is_ours(cmd)
    assert shlex.split(guard_command("cursor", "/usr/local/bin/clampd-guard")) == ["/usr/local/bin/clampd-guard", "hook", "--agent", "cursor"]


def test_frozen_binary_wires_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/clampd/clampd-guard")
    assert shlex.split(hook_command.command_line("claude")) == ["/opt/clampd/clampd-guard", "hook", "--agent", "claude"]


def test_hook_timeout_is_above_the_deadline() -> None:
    assert hook_timeout_s(5000) == 10
    assert hook_timeout_s(9000) == 14
    assert hook_timeout_s(60000) == 65


def test_paths_inside_an_image(tmp_path: Path) -> None:
    root = tmp_path / "img"
    (root / "usr/local/bin").mkdir(parents=True)
    (root / "usr/local/bin/clampd-guard").write_text("")
    assert map_root("/etc/x", str(root)) == str(root / "etc/x")
    assert map_root(str(root / "etc/x"), str(root)) == str(root / "etc/x")
    assert map_root("/etc/x", None) == "/etc/x"
    cmd = rooted_command("/usr/local/bin/clampd-guard hook --agent claude", str(root))
    assert shlex.split(cmd) == [str(root / "usr/local/bin/clampd-guard"), "hook", "--agent", "claude"]
    # paths that only exist on this machine stay as they are
    assert shlex.split(rooted_command("/bin/sh -c true", str(root))) == ["/bin/sh", "-c", "true"]
