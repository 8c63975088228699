"""``clampd-guard status``: config sources, gateway slot, rules, audit store and the last decisions."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from guard.commands import status
from tests import auditlib as A


def _status(home: Path, managed: Path | None = None) -> tuple[int, dict]:
    r = A.cli(home, "status", "--json", managed=managed if managed is not None else home / "no-managed.json")
    assert "Traceback" not in r.stderr
    return r.returncode, json.loads(r.stdout)


def test_fresh_install_is_ok(home: Path) -> None:
    code, rep = _status(home)
    assert code == 0 and rep["ok"] is True
    assert list(rep)[1:] == ["config", "gateway", "rules", "audit", "recent"]
    assert rep["gateway"]["configured"] is False and rep["gateway"]["url"] is None
    assert rep["rules"]["source"] == "embedded" and rep["rules"]["rules"] > 100
    assert rep["audit"]["enabled"] is True and rep["audit"]["rows"] == 0
    assert rep["recent"]["decisions"] == []


def test_config_sources_and_managed_forced_fields(home: Path, tmp_path: Path) -> None:
    A.user_config(home, gateway_url="http://127.0.0.1:9", sensitivity="strict", audit=False)
    managed = tmp_path / "managed.json"
    managed.write_text(json.dumps({"audit": True, "fail_open": False}))
    code, rep = _status(home, managed)
    cfg = rep["config"]
    assert cfg["user_file_exists"] and cfg["managed_file"] == str(managed) and cfg["managed_file_exists"]
    assert cfg["managed_forces"] == ["audit", "fail_open"]
    # audit: false was overridden by the managed file
    assert cfg["user_fields"] == ["deadline_ms", "gateway_url", "sensitivity", "stdin_timeout_ms"]
    assert rep["audit"]["enabled"] is True and rep["audit"]["enabled_source"] == "managed"
    assert rep["gateway"]["configured"] is True and rep["gateway"]["url"] == "http://127.0.0.1:9"
    # Nothing listens on the discard port: status says so, and that needs attention.
    assert rep["gateway"]["reachable"] is False and rep["gateway"]["problems"]
    assert code == 1


def test_broken_managed_file_is_a_problem(home: Path, tmp_path: Path) -> None:
    managed = tmp_path / "managed.json"
    managed.write_text("{not json")
    code, rep = _status(home, managed)
    assert code == 1 and rep["ok"] is False
    assert any("managed config is broken" in p for p in rep["config"]["problems"])


def test_disabled_audit_is_reported(home: Path) -> None:
    A.user_config(home, audit=False)
    code, rep = _status(home)
    assert code == 1 and "audit recording is disabled (audit: false)" in rep["audit"]["problems"]


def test_audit_store_and_last_five_decisions(home: Path) -> None:
    for i in range(7):
        A.hook(A.pre_bash("rm -rf ~" if i == 6 else f"ls {i}", f"toolu_{i}"), home)
    code, rep = _status(home)
    assert code == 0
    audit = rep["audit"]
    assert audit["rows"] == 7 and audit["folded_now"] == 7 and audit["backlog"] == [] and audit["store"].endswith("audit.db")
    assert audit["retention_days"] == 90 and audit["last_fold"]
    recent = rep["recent"]["decisions"]
    assert len(recent) == 5
    assert recent[0]["verdict"] == "deny" and recent[0]["rule_ids"] == "shell.rm-vital"  # newest first
    assert [d["preview"] for d in recent[1:]] == ["ls 5", "ls 4", "ls 3", "ls 2"]


def test_text_output(home: Path) -> None:
    A.hook(A.pre_bash("rm -rf ~"), home)
    A.audit_json(home)  # folded: the journal file is gone
    A.journal(home).mkdir()  # make the next record go to the fallback file
    A.hook(A.pre_bash("ls"), home)
    r = A.cli(home, "status", managed=home / "none.json")
    assert r.returncode == 1
    out = r.stdout
    for head in ("config:", "gateway:", "rules:", "audit:", "recent:"):
        assert f"\n{head}\n" in "\n" + out
    assert "configured: False" in out and "rows: 2" in out
    assert "PROBLEM: the audit journal could not be written" in out
    assert out.rstrip().endswith("1 problem need attention") or out.rstrip().endswith("problems need attention")


def test_a_new_section_is_one_function(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    def breaker(ctx: status.Context) -> dict:
        return {"state": "open", "gateway_url": ctx.cfg.gateway_url, "problems": ["gateway breaker is open"]}

    monkeypatch.setattr(status, "SECTIONS", [*status.SECTIONS, ("breaker", breaker)])
    code = status.run(argparse.Namespace(json=True))
    rep = json.loads(capsys.readouterr().out)
    assert code == 1 and rep["breaker"]["state"] == "open" and rep["ok"] is False


def test_a_failing_section_does_not_hide_the_others(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    def broken(ctx: status.Context) -> dict:
        raise RuntimeError("boom")

    monkeypatch.setattr(status, "SECTIONS", [("broken", broken), *status.SECTIONS])
    code = status.run(argparse.Namespace(json=False))
    out = capsys.readouterr().out
    assert code == 1 and "section failed: RuntimeError: boom" in out and "audit:" in out
