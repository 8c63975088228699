"""What the configuration does to rule hits: exclusions, per-rule actions, project allowlists.

Applied between matching and scoring, so that an excluded or allow-listed
rule neither adds risk nor shows in a reason, and a rule forced to "ask"
cannot be pushed to "deny" by its own risk.
"""

from __future__ import annotations

from guard.verdict import ALLOW, ASK, DENY, Hit

_LEVEL = {ALLOW: 0, ASK: 1, DENY: 2}


def combined_risk(hits: list[Hit]) -> float:
    """Noisy-or across categories of the strongest hit in each.

    Independent kinds of evidence add up (a credential read plus a network
    upload); two rules that see the same mechanism (two destructive-git asks,
    a SQL rule on the command and on the extracted SQL) do not.
    """
    best: dict[str, float] = {}
    for h in hits:
        if h.risk > best.get(h.category, 0.0):
            best[h.category] = h.risk
    keep = 1.0
    for r in best.values():
        keep *= 1.0 - r
    return round(1.0 - keep, 4)


class Policy:
    __slots__ = ("thresholds", "excluded", "actions")

    def __init__(
        self,
        thresholds: tuple[float, float] = (0.5, 0.75),
        excluded: frozenset[str] = frozenset(),
        actions: dict[str, str] | None = None,
    ) -> None:
        self.thresholds = thresholds
        self.excluded = excluded
        self.actions = actions or {}

    @classmethod
    def from_config(cls, cfg: object, cwd: str) -> Policy:
        excluded = set(getattr(cfg, "exclude_rule_ids", ()) or ())
        for project, ids in (getattr(cfg, "project_allow", {}) or {}).items():
            root = project.rstrip("/") or "/"
            if cwd == root or cwd.startswith(root + "/") or root == "/":
                excluded.update(ids)
        return cls(cfg.thresholds, frozenset(excluded), dict(getattr(cfg, "rule_actions", {}) or {}))  # type: ignore[attr-defined]

    def keeps(self, h: Hit) -> bool:
        return "*" not in self.excluded and h.rule_id not in self.excluded and self.actions.get(h.rule_id) != ALLOW

    def level(self, risk: float) -> str:
        ask_at, deny_at = self.thresholds
        if risk >= deny_at:
            return DENY
        if risk >= ask_at:
            return ASK
        return ALLOW

    def decide(self, hits: list[Hit]) -> str:
        """Risk level of the hits without an override, raised (never lowered) by forced actions."""
        forced = [self.actions[h.rule_id] for h in hits if h.rule_id in self.actions]
        free = [h for h in hits if h.rule_id not in self.actions]
        decision = self.level(combined_risk(free)) if free else ALLOW
        for a in forced:
            if _LEVEL[a] > _LEVEL[decision]:
                decision = a
        return decision
