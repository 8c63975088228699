"""The guard's answer for one call, before an editor adapter renders it."""

from __future__ import annotations

ALLOW = "allow"
ASK = "ask"
DENY = "deny"
REDACT = "redact"  # post events: the tool already ran; its output is rewritten before the model sees it

LOCAL = "local"
GATEWAY = "gateway"
OFFLINE = "offline"
FAILSAFE = "failsafe"  # no real decision could be made: bad input, deadline, broken managed config


class Hit:
    """One rule that matched: where, what text, and how bad."""

    __slots__ = ("rule_id", "category", "risk", "title", "advice", "field", "text", "start", "end", "secret", "defuse", "tags")

    def __init__(
        self,
        rule_id: str,
        category: str,
        risk: float,
        title: str,
        advice: str,
        field: str,
        text: str,
        start: int,
        end: int,
        secret: bool,
        defuse: bool,
        tags: tuple = (),
    ) -> None:
        self.rule_id = rule_id
        self.category = category
        self.risk = risk
        self.title = title
        self.advice = advice
        self.field = field
        self.text = text
        self.start = start
        self.end = end
        self.secret = secret
        self.defuse = defuse
        self.tags = tags

    def shown_text(self, limit: int = 120) -> str:
        """The matched text as it may be shown to a model, user or log: secrets masked."""
        if self.secret:
            return f"[REDACTED:{self.rule_id}]"
        t = " ".join(self.text.split())
        return t if len(t) <= limit else t[: limit - 3] + "..."


class Verdict:
    """allow | ask | deny (| redact after a tool ran), with the evidence and where it came from."""

    __slots__ = (
        "decision",
        "risk",
        "hits",
        "reason",
        "source",
        "warnings",
        "updated_output",
        "notice",
        "tags",
        "gateway_rules",
    )

    def __init__(
        self,
        decision: str = ALLOW,
        risk: float = 0.0,
        hits: list[Hit] | None = None,
        reason: str = "",
        source: str = LOCAL,
    ) -> None:
        self.decision = decision
        self.risk = risk
        self.hits = hits or []
        self.reason = reason
        self.source = source
        self.warnings: list[str] = []
        # Post events: the tool output with secrets redacted / injections defused.
        self.updated_output: object = None
        # Post events: what was removed, for the model.
        self.notice = ""
        # Behaviour tags of every rule that matched (tag-only rules included), for engine.session.
        self.tags: set[str] = set()
        # The gateway's matched_rules when its opinion shaped the verdict (for the audit trail).
        self.gateway_rules: list[str] = []

    @property
    def rule_ids(self) -> list[str]:
        seen: list[str] = []
        for h in self.hits:
            if h.rule_id not in seen:
                seen.append(h.rule_id)
        return seen
