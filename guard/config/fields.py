"""Every guard.json field: its type, default, bounds and meaning.

Pure data with no imports, so that the hook path can read it for free.
``schema.GuardConfig`` (msgspec) and ``load`` (hook path) are generated from
this table; a test checks that the two accept and reject the same files.
"""

from __future__ import annotations

MiB = 1 << 20

# name: (type, default, (min, max) or allowed values or None, description)
FIELDS: dict[str, tuple[type, object, object, str]] = {
    "gateway_url": (str, "", "url", "Clampd gateway base URL (https://...). Empty: local rules only."),
    "api_key": (str, "", None, "Gateway API key, sent as X-AG-Key. Prefer the OS keyring (setup)."),
    "agent_id": (str, "", None, "Agent identity used as the JWT subject."),
    "secret": (str, "", None, "Agent secret for minting HS256 JWTs. Prefer the OS keyring (setup)."),
    "skip_low_risk": (bool, False, None, "Skip the gateway for read-only tools the local rules pass."),
    "fail_open": (
        bool,
        True,
        None,
        "When the guard cannot decide (bad input, deadline, gateway down): true = allow with a "
        "warning, false = deny. Local rules still decide what they are sure of.",
    ),
    "timeout_ms": (int, 2000, (50, 60000), "Gateway request timeout in milliseconds."),
    "ca_bundle": (
        str,
        "",
        None,
        "PEM file of CA certificates for the gateway's TLS (private CAs). Empty: the system store.",
    ),
    "breaker_backoff_ms": (
        int,
        30000,
        (1000, 3600000),
        "After a gateway failure, how long every hook process skips the gateway (offline "
        "verdicts) before one probes it again.",
    ),
    "rules_url": (
        str,
        "",
        "url",
        "Where `rules update` fetches the signed rule bundle. Empty: {gateway_url}/v1/guard/rules.",
    ),
    "rules_public_key": (
        str,
        "",
        "managed",
        "Managed file only: Ed25519 public key (base64 or hex of the 32 raw bytes) that rule "
        "bundles must be signed with. Empty: bundles are refused.",
    ),
    "rules_max_age_hours": (
        int,
        24,
        (0, 8760),
        "Refresh the rule bundle in the background when it is older than this; 0 = never.",
    ),
    "audit": (bool, True, None, "Record every decision in the local audit trail."),
    "audit_retention_days": (int, 90, (1, 3650), "Audit rows older than this are deleted."),
    "audit_max_rows": (int, 1000000, (1000, 100000000), "Most audit rows kept; the oldest go first."),
    "deadline_ms": (
        int,
        5000,
        (200, 60000),
        "Budget for the whole hook call; must stay below the editor's hook timeout.",
    ),
    "stdin_timeout_ms": (int, 2000, (50, 60000), "How long to wait for the hook payload on stdin."),
    "max_input_bytes": (
        int,
        8 * MiB,
        (1024, 256 * MiB),
        "Largest hook payload read from stdin; larger payloads follow fail_open.",
    ),
    "exclude_rule_ids": (
        list,
        [],
        "list[str]",
        "Rule ids that never fire (a false-positive escape hatch). Ignored from the user file "
        "when the managed file sets forbid_loosening.",
    ),
    "rule_actions": (
        dict,
        {},
        "dict[str,action]",
        "Per-rule action: rule id -> deny | ask | allow (allow = record only). Loosening entries "
        "from the user file are ignored when the managed file sets forbid_loosening.",
    ),
    "project_allow": (
        dict,
        {},
        "dict[str,list[str]]",
        "Project allowlists: project directory -> rule ids (or '*') that may not block calls "
        "whose cwd is inside that directory.",
    ),
    "forbid_loosening": (
        bool,
        False,
        "managed",
        "Managed file only: ignore user settings that weaken protection (exclude_rule_ids, "
        "project_allow, weaker rule_actions, a weaker sensitivity, fail_open, skip_low_risk, audit off).",
    ),
    "session_signals": (
        bool,
        True,
        None,
        "Track behaviour across a session (sensitive read then egress, download-chmod-exec, "
        "repeated denials, deletion bursts, persistence then exec).",
    ),
    "sensitivity": (
        str,
        "balanced",
        ("strict", "balanced", "permissive"),
        "Risk thresholds: strict asks and denies earlier, permissive later.",
    ),
}

SECRET_FIELDS = frozenset({"api_key", "secret"})
ACTIONS = ("deny", "ask", "allow")
# Weakest to strongest, for deciding whether a user setting loosens a managed one.
SENSITIVITY_ORDER = ("permissive", "balanced", "strict")
SENSITIVITY = {
    # profile: (ask at or above, deny at or above)
    "strict": (0.35, 0.6),
    "balanced": (0.5, 0.75),
    "permissive": (0.75, 0.9),
}
