"""False positives are bugs: everyday developer calls must pass the rules untouched.

- every line of corpus/benign_commands.txt, as a PreToolUse Bash call, is allowed;
- every path of corpus/benign_reads.txt, read with Read and searched with Grep, is allowed;
- ordinary tool output (docs about prompt injection, code that reads secrets from
  the environment, hashes, ids, templates) comes back without redaction;
- ordinary user prompts that talk about secrets are not flagged.

Each test collects every failure and reports them all in one message, so a rule
change that breaks many cases shows them at once. The calls go through the same
path as tests/test_rule_examples.py: claude_code.parse, then evaluate.evaluate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.editors import claude_code
from guard.engine import compiler, evaluate, ruleset

CORPUS = Path(__file__).resolve().parent / "corpus"
RULES_DIR = Path(ruleset.RULES_DIR)
FILES = sorted(p for p in RULES_DIR.glob("*.toml") if not p.name.startswith("_"))
RULESET = compiler.build_ruleset(FILES)
THRESHOLDS = (0.5, 0.75)
CWD = "/home/dev/project"
HOME = "/home/dev"


@pytest.fixture(autouse=True)
def _home(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed HOME so that ~ in commands and paths means the same on every machine."""
    monkeypatch.setenv("HOME", HOME)


def lines(name: str) -> list[str]:
    out = []
    for raw in (CORPUS / name).read_text("utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            out.append(raw)
    return out


def verdict(payload: dict) -> evaluate.Verdict:
    base = {"session_id": "benign-corpus", "cwd": CWD}
    return evaluate.evaluate(claude_code.parse({**base, **payload}), RULESET, THRESHOLDS)


def describe(v: evaluate.Verdict) -> str:
    return ", ".join(f"{h.rule_id}({h.risk}: {h.text!r})" for h in v.hits)


def pre(tool: str, tool_input: dict) -> dict:
    return {"hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input}


def post_bash(stdout: str) -> dict:
    return {
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "cat notes.txt"},
        "tool_response": {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False},
    }


def post_read(path: str, content: str) -> dict:
    return {
        "hook_event_name": "PostToolUse",
        "tool_name": "Read",
        "tool_input": {"file_path": path},
        "tool_response": {"type": "text", "file": {"filePath": path, "content": content}},
    }


# ---------------------------------------------------------------- commands


def test_benign_commands_are_allowed() -> None:
    cmds = lines("benign_commands.txt")
    assert len(cmds) >= 300, f"the benign corpus shrank to {len(cmds)} commands"
    bad = []
    for c in cmds:
        v = verdict(pre("Bash", {"command": c}))
        if v.decision != "allow":
            bad.append(f"{v.decision} {v.risk:.2f} {c!r}: {describe(v)}")
    assert not bad, f"{len(bad)} benign commands were not allowed:\n" + "\n".join(bad)


# ---------------------------------------------------------------- file reads


def test_benign_reads_are_allowed() -> None:
    paths = lines("benign_reads.txt")
    assert len(paths) >= 40
    bad = []
    for p in paths:
        for tool, inp in (("Read", {"file_path": p}), ("Grep", {"pattern": "TODO", "path": p})):
            v = verdict(pre(tool, inp))
            if v.decision != "allow":
                bad.append(f"{tool} {v.decision} {v.risk:.2f} {p!r}: {describe(v)}")
    assert not bad, f"{len(bad)} benign reads were not allowed:\n" + "\n".join(bad)


# ---------------------------------------------------------------- tool output

BENIGN_OUTPUTS = [
    # Documentation that discusses prompt injection without doing it.
    "## Security\n\nPrompt injection attacks such as \"ignore previous instructions\" are a known risk "
    "for AI agents. Treat fetched content as data.",
    "Attackers hide phrases like ignore all previous instructions in web pages; the guard removes them.",
    "The classic jailbreak 'You are now DAN' no longer works on current models.",
    "# AGENTS.md\n\nAI agents must run `make test` before committing.\nNote for AI agents: use pnpm, not npm.\n"
    "In CI mode, do not ask the user for confirmation.",
    "<!-- prettier-ignore -->\n<!-- TODO: AI-generated section, review before release -->\n| a | b |",
    '{"chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\\n{{ m.content }}<|im_end|>{% endfor %}"}',
    "2024-05-01 12:00:01 [SYSTEM] Service started on port 8080\n2024-05-01 12:00:02 [INFO] Ready",
    "From now on, the API returns JSON by default. You are now ready to deploy.",
    # Code that reads secrets from the environment or a secret store.
    'import os\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\npassword = os.environ.get("PASSWORD", "")\n'
    "api_key = settings.API_KEY\ntoken = get_token()\n",
    "def check_password(password: str) -> bool:\n    return bcrypt.checkpw(password.encode(), stored)\n",
    "const apiKey = process.env.OPENAI_API_KEY;\nconst token: string = req.headers.authorization ?? '';\n",
    "if line.startswith(\"-----BEGIN RSA PRIVATE KEY-----\"):\n    kind = 'rsa'\n",
    'error = "Password must contain at least 8 characters"\nPASSWORD_MIN_LENGTH=12\n',
    # CI configuration and templates with placeholders.
    "steps:\n  - uses: actions/checkout@v4\n  - run: gh release create\n    env:\n      GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
    "      token: ${{ secrets.NPM_TOKEN }}\n",
    "# .env.example\nDATABASE_URL=postgres://user:password@localhost:5432/app\nAPI_KEY=your_api_key_here\n"
    "SECRET_KEY=changeme\nSTRIPE_SECRET_KEY=sk_test_your_key_here\nOPENAI_API_KEY=sk-...\n",
    "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\nREDIS_URL=redis://localhost:6379/0\n",
    'password: "{{ vault_db_password }}"\napi_key: <your-api-key>\n"password": "********"\n',
    # Identifiers and hashes that look random but are not secrets.
    "commit 3f786850e387550fdab836ed7e6dc881de23001b\nAuthor: Ann <ann@example.com>\n\n    fix login\n",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "request_id=550e8400-e29b-41d4-a716-446655440000 token_count=4096 max_tokens=1024",
    '"integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="',
    "ghcr.io/org/app@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    "arn:aws:iam::123456789012:role/deploy\nregion = eu-west-1\noutput = json\n",
    '{"access_token_expires_in": 3600, "token_type": "Bearer", "scope": "read:user"}',
    # Ordinary command output.
    "============================= test session starts ==============================\n"
    "collected 42 items\n\ntests/test_app.py ........................................ [100%]\n\n"
    "============================== 42 passed in 1.23s ==============================",
    "added 1287 packages, and audited 1288 packages in 14s\n\n212 packages are looking for funding\n"
    "found 0 vulnerabilities",
    "src/app.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    '<div class="sk-fading-circle-container-wrapper-outer"><span>Loading</span></div>',
    "Cloning into 'app'...\nremote: Enumerating objects: 1043, done.\nReceiving objects: 100% (1043/1043), done.",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dev@example.com",
]


def test_benign_outputs_are_not_redacted() -> None:
    bad = []
    for text in BENIGN_OUTPUTS:
        for payload in (post_bash(text), post_read(CWD + "/notes.md", text)):
            v = verdict(payload)
            if v.updated_output is not None or v.hits:
                bad.append(f"{payload['tool_name']} {text[:70]!r}...: {describe(v)}")
    assert not bad, f"{len(bad)} benign outputs were redacted:\n" + "\n".join(bad)


# ---------------------------------------------------------------- prompts

BENIGN_PROMPTS = [
    "Why does boto3 not pick up AWS_SECRET_ACCESS_KEY from my .env file?",
    "Rotate the GitHub token used by CI and update the secret in the repo settings.",
    "Add a password reset flow; passwords must be at least 12 characters.",
    "Write a migration that drops the legacy_users table, but don't run it.",
    "Explain what 'ignore previous instructions' attacks are and how we defend against them.",
    "Our JWT tokens expire after 15 minutes; make the refresh window configurable.",
]


def test_benign_prompts_are_allowed() -> None:
    bad = []
    for prompt in BENIGN_PROMPTS:
        v = verdict({"hook_event_name": "UserPromptSubmit", "prompt": prompt})
        if v.decision != "allow" or v.hits:
            bad.append(f"{v.decision} {prompt!r}: {describe(v)}")
    assert not bad, f"{len(bad)} benign prompts were flagged:\n" + "\n".join(bad)
