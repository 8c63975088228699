"""What every editor's wiring has in common: the file shapes, and adding/removing our entries.

Two shapes cover the five editors:

- ``nested`` (Claude Code, Codex, Gemini): ``hooks.<Event>`` is a list of matcher groups
  ``{"matcher"?, "hooks": [handler...]}`` and a handler holds ``"command"``.
- ``flat`` (Cursor, Copilot): ``hooks.<event>`` is a list of handlers, each holding the
  command under ``command_key`` (``command``; Copilot: ``bash``).

An "entry" below is one item of an event list: a matcher group (nested) or a handler (flat).
Install makes each wanted event hold exactly one entry of ours, equal to the wanted one,
and touches nothing else; uninstall removes our entries (and only the containers that our
removal emptied), with ``jsonedit`` so every other byte is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from guard.wiring import jsonedit
from guard.wiring.command import is_ours
from guard.wiring.files import WiringError

USER, PROJECT, MANAGED = "user", "project", "managed"


@dataclass(frozen=True)
class Probe:
    """One self-test call: the payload in the editor's envelope and how to read the answer."""

    payload: dict
    verdict: Callable[[int, bytes, bytes], str]  # (exit code, stdout, stderr) -> deny | allow | other:<why>


@dataclass(frozen=True)
class Editor:
    """One editor's hook config format and where it lives."""

    name: str  # what --editor takes
    label: str  # for people
    agent: str  # what --agent the command passes
    shape: str  # nested | flat
    events: Callable[[str, int], dict]  # (command, timeout_s) -> {event: our entry}
    paths: Callable[[str, str, str], str | None]  # (scope, home, project_dir) -> file path (None: scope unsupported)
    detect: Callable[[str], bool]  # (home) -> is this editor present on the machine
    deny_probe: Callable[[str], Probe]  # (cwd) -> a destructive call
    allow_probe: Callable[[str], Probe]  # (cwd) -> a benign call
    command_key: str = "command"
    new_file: dict = field(default_factory=dict)  # what a new file holds besides "hooks"
    scopes: tuple[str, ...] = (USER, PROJECT)
    jsonc: bool = False  # the editor accepts // and /* */ comments in this file
    notes: Callable[[object, str], list[tuple[str, str, str]]] | None = None  # (data, path) -> extra doctor lines (status, detail, fix)


# --- reading -------------------------------------------------------------------------


def _check_shape(data: dict, path: str) -> dict:
    hooks = data.get("hooks", {})
    if not isinstance(hooks, dict):
        raise WiringError(f"{path}: \"hooks\" is a JSON {type(hooks).__name__}, expected an object; refusing to edit it")
    for ev, lst in hooks.items():
        if not isinstance(lst, list):
            raise WiringError(f"{path}: hooks.{ev} is a JSON {type(lst).__name__}, expected a list; refusing to edit it")
    return hooks


def handlers(ed: Editor, entry: object) -> list[dict]:
    """The command handlers inside one event-list entry."""
    if not isinstance(entry, dict):
        return []
    if ed.shape == "flat":
        return [entry]
    hs = entry.get("hooks")
    return [h for h in hs if isinstance(h, dict)] if isinstance(hs, list) else []


def our_commands(ed: Editor, data: object) -> dict[str, list[str]]:
    """{event: [our command lines]} found in a parsed config."""
    out: dict[str, list[str]] = {}
    hooks = data.get("hooks") if isinstance(data, dict) else None
    if not isinstance(hooks, dict):
        return out
    for ev, lst in hooks.items():
        if not isinstance(lst, list):
            continue
        for entry in lst:
            for h in handlers(ed, entry):
                cmd = h.get(ed.command_key)
                if is_ours(cmd):
                    out.setdefault(ev, []).append(cmd)
    return out


def _entry_state(ed: Editor, entry: object) -> str:
    """'ours' (only our handlers), 'mixed' (ours and others in one group), or 'other'."""
    hs = handlers(ed, entry)
    mine = [h for h in hs if is_ours(h.get(ed.command_key))]
    if not mine:
        return "other"
    if ed.shape == "flat" or len(mine) == len(hs):
        return "ours"
    return "mixed"


# --- editing -----------------------------------------------------------------------------


def _parse(ed: Editor, text: str, path: str) -> dict:
    if not text.strip():
        raise WiringError(f"{path}: the file is empty, which is not valid JSON; refusing to edit it")
    try:
        data, _root = jsonedit.load(text, ed.jsonc)
    except jsonedit.JsonEditError as e:
        raise WiringError(f"{path}: {e}; refusing to edit it (fix or move the file, then retry)") from None
    return data  # type: ignore[return-value]


def _remove_ours_in_event(ed: Editor, text: str, ev: str) -> str:
    """Remove our entries (and our handlers inside mixed groups) from one event list."""
    while True:
        data, root = jsonedit.load(text, ed.jsonc)
        lst_node = root.get("hooks").get(ev)  # type: ignore[union-attr]
        lst = data["hooks"][ev]
        for i in range(len(lst) - 1, -1, -1):
            state = _entry_state(ed, lst[i])
            if state == "ours":
                text = jsonedit.remove(text, lst_node, i)
                break
            if state == "mixed":
                group = lst_node.values[i]
                hooks_node = group.get("hooks")
                hs = lst[i]["hooks"]
                j = max(k for k, h in enumerate(hs) if isinstance(h, dict) and is_ours(h.get(ed.command_key)))
                text = jsonedit.remove(text, hooks_node, j)  # type: ignore[arg-type]
                break
        else:
            return text


def _drop_ours(ed: Editor, text: str, ev: str) -> str:
    """Remove our entries from one event, and the event itself if that emptied it."""
    text = _remove_ours_in_event(ed, text, ev)
    data, root = jsonedit.load(text, ed.jsonc)
    if data["hooks"][ev] == []:
        hooks_node = root.get("hooks")
        text = jsonedit.remove(text, hooks_node, hooks_node.index(ev))  # type: ignore[union-attr,arg-type]
    return text


def install_text(ed: Editor, text: str | None, path: str, command: str, timeout_s: int) -> str:
    """The file's new text with our entries in place (``text`` None: a new file)."""
    want = ed.events(command, timeout_s)
    if text is None:
        return jsonedit.new_document({**ed.new_file, "hooks": {ev: [entry] for ev, entry in want.items()}})
    hooks = _check_shape(_parse(ed, text, path), path)
    # Our entries in events we no longer want (e.g. from an older install) go.
    for ev in list(hooks):
        if ev not in want and our_commands(ed, {"hooks": {ev: hooks[ev]}}):
            text = _drop_ours(ed, text, ev)
    for ev, entry in want.items():
        data, root = jsonedit.load(text, ed.jsonc)
        hooks_val = data.get("hooks")
        if hooks_val is None:
            text = jsonedit.append(text, root, {e: [x] for e, x in want.items()}, key="hooks")
            continue
        if ev not in hooks_val:
            text = jsonedit.append(text, root.get("hooks"), [entry], key=ev)  # type: ignore[arg-type]
            continue
        lst = hooks_val[ev]
        states = [_entry_state(ed, x) for x in lst]
        if states.count("ours") == 1 and "mixed" not in states and lst[states.index("ours")] == entry:
            continue  # already exactly as wanted
        if "ours" in states or "mixed" in states:
            text = _remove_ours_in_event(ed, text, ev)
        data, root = jsonedit.load(text, ed.jsonc)
        text = jsonedit.append(text, root.get("hooks").get(ev), entry)  # type: ignore[union-attr,arg-type]
    return text


def uninstall_text(ed: Editor, text: str, path: str) -> str | None:
    """The file's text without our entries; None when nothing else is left (delete the file)."""
    data = _parse(ed, text, path)
    hooks = _check_shape(data, path)
    if "hooks" not in data:
        return text
    touched = False
    for ev in list(hooks):
        if not our_commands(ed, {"hooks": {ev: hooks[ev]}}):
            continue
        touched = True
        text = _drop_ours(ed, text, ev)
    if not touched:
        return text
    data, root = jsonedit.load(text, ed.jsonc)
    if data.get("hooks") == {}:
        text = jsonedit.remove(text, root, root.index("hooks"))
        data, root = jsonedit.load(text, ed.jsonc)
        if data == {} or data == ed.new_file:
            return None  # nothing but what a fresh install writes: the file was ours
    return text
