"""`clampd-guard rules list|show`: the embedded rules as the TOML files define them."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

from tests.conftest import REPO, guard_exe

RULES_DIR = REPO / "guard" / "rules"


def toml_rules() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for f in sorted(RULES_DIR.glob("*.toml")):
        if f.name.startswith("_"):
            continue
        for r in tomllib.loads(f.read_text("utf-8")).get("rules", []):
            out[r["id"]] = r
    return out


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    proc = subprocess.run(guard_exe() + list(args), capture_output=True, env=env, timeout=30)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_list_counts_match_the_toml_files(home: Path) -> None:
    rules = toml_rules()
    r = cli(home, "rules", "list")
    assert r.returncode == 0, r.stderr
    head, columns, *rows = r.stdout.splitlines()
    assert head.startswith(f"{len(rules)} rules ")
    assert "embedded" in head and "version" in head
    assert columns.split() == ["ID", "CATEGORY", "RISK", "EVENTS", "TITLE"]
    assert len(rows) == len(rules)
    assert {row.split()[0] for row in rows} == set(rules)


def test_list_json(home: Path) -> None:
    rules = toml_rules()
    r = cli(home, "rules", "list", "--json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["source"] == "embedded" and data["count"] == len(rules)
    got = {x["id"]: x for x in data["rules"]}
    assert set(got) == set(rules)
    vital = got["shell.rm-vital"]
    assert vital["category"] == rules["shell.rm-vital"]["category"]
    assert vital["risk"] == rules["shell.rm-vital"]["risk"]
    assert vital["events"] == rules["shell.rm-vital"].get("events", ["pre"])


def test_show_has_every_field_and_the_examples(home: Path) -> None:
    rule = toml_rules()["shell.rm-vital"]
    r = cli(home, "rules", "show", "shell.rm-vital")
    assert r.returncode == 0, r.stderr
    for key in ("id:", "title:", "category:", "risk:", "events:", "tools:", "fields:", "keywords:", "patterns"):
        assert key in r.stdout
    assert rule["title"] in r.stdout
    for p in rule["patterns"]:
        assert p in r.stdout
    for ex in rule["match"] + rule["no_match"]:
        assert f"  {ex}\n" in r.stdout
    assert "match (must fire)" in r.stdout and "no_match (must not fire)" in r.stdout


def test_show_json_round_trips_the_rule(home: Path) -> None:
    rule = toml_rules()["shell.rm-vital"]
    data = json.loads(cli(home, "rules", "show", "shell.rm-vital", "--json").stdout)
    for key, value in rule.items():
        assert data[key] == value


def test_unknown_id_exits_2(home: Path) -> None:
    r = cli(home, "rules", "show", "shell.no-such-rule")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "shell.no-such-rule" in r.stderr and r.stderr.count("\n") == 1


def test_rules_without_subcommand_is_a_usage_error(home: Path) -> None:
    r = cli(home, "rules")
    assert r.returncode == 2
    assert "error" in r.stderr
